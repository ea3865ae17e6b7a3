#include "sched.h"

#include "gtest/gtest.h"
