#include "cpu.h"

#include "gtest/gtest.h"
