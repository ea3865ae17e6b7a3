#include "vcpu.h"

#include "gtest/gtest.h"
