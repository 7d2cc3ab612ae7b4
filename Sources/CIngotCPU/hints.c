// Everything in CIngotCPU is inline in its header; SwiftPM builds a C target from at least one
// source file.
#include "CIngotCPU.h"
