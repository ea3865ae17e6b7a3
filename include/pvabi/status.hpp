// pvabi/status.hpp: hypercall statuses as an enum class.
//
//     pvabi::Status s = pvabi::to_status(raw);
//     if (s == pvabi::Status::kNotSupported) fall_back();
//     log(pvabi::status_name(s));
#ifndef PVABI_STATUS_HPP
#define PVABI_STATUS_HPP

#include <pvabi/status.h>

namespace pvabi {

enum class Status : int64_t {
  kOk = PVABI_OK,
  kNotPermitted = PVABI_EPERM,
  kNoEntry = PVABI_ENOENT,
  kNoSuchDomain = PVABI_ESRCH,
  kTooBig = PVABI_E2BIG,
  kAgain = PVABI_EAGAIN,
  kNoMemory = PVABI_ENOMEM,
  kFault = PVABI_EFAULT,
  kBusy = PVABI_EBUSY,
  kExists = PVABI_EEXIST,
  kInvalid = PVABI_EINVAL,
  kNoSpace = PVABI_ENOSPC,
  kOutOfRange = PVABI_ERANGE,
  kNotSupported = PVABI_ENOSYS,
  kRestart = PVABI_ERESTART,
};

// A raw rax value: non-negative values are success (some calls return a count).
[[nodiscard]] constexpr Status to_status(int64_t raw) {
  return raw >= 0 ? Status::kOk : static_cast<Status>(raw);
}

[[nodiscard]] constexpr bool ok(Status s) { return s == Status::kOk; }

[[nodiscard]] constexpr const char* status_name(Status s) {
  switch (s) {
    case Status::kOk: return "OK";
    case Status::kNotPermitted: return "EPERM";
    case Status::kNoEntry: return "ENOENT";
    case Status::kNoSuchDomain: return "ESRCH";
    case Status::kTooBig: return "E2BIG";
    case Status::kAgain: return "EAGAIN";
    case Status::kNoMemory: return "ENOMEM";
    case Status::kFault: return "EFAULT";
    case Status::kBusy: return "EBUSY";
    case Status::kExists: return "EEXIST";
    case Status::kInvalid: return "EINVAL";
    case Status::kNoSpace: return "ENOSPC";
    case Status::kOutOfRange: return "ERANGE";
    case Status::kNotSupported: return "ENOSYS";
    case Status::kRestart: return "ERESTART";
  }
  return "unknown status";
}

}  // namespace pvabi

#endif  // PVABI_STATUS_HPP
