// pvabi/pvabi.hpp: the C interface plus its C++ conveniences in one include.
//
//     #include <pvabi/pvabi.hpp>
//     constexpr auto pin = pvabi::pin_table(4, pvabi::Mfn{root});
#ifndef PVABI_PVABI_HPP
#define PVABI_PVABI_HPP

#include <pvabi/pvabi.h>
#include <pvabi/event.hpp>
#include <pvabi/hypercall.hpp>
#include <pvabi/mmu.hpp>
#include <pvabi/ring.hpp>
#include <pvabi/status.hpp>
#include <pvabi/time.hpp>
#include <pvabi/types.hpp>

#endif  // PVABI_PVABI_HPP
