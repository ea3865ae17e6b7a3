#include "time.h"

#include "gtest/gtest.h"
