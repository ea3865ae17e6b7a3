#include "time.h"

namespace hv {

void time_domain_created(Domain&) {}

}  // namespace hv
