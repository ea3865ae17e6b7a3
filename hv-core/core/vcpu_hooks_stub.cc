// Temporary definitions of the vCPU hooks until time.cc and sched.cc provide them.
