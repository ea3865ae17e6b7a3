#include "event_channel.h"

#include "gtest/gtest.h"
