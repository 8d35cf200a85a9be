// The target's code is the inline function in include/CProcessExit.h.
