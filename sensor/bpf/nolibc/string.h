/*
 * Stand-in for <string.h> in the BPF build only.
 *
 * cl_content.h includes <string.h> for its user-space build; the BPF target
 * has no libc (glibc's headers fail there, wanting gnu/stubs-32.h), and the
 * BPF program calls no string function: it only takes the format's
 * constants and enums from cl_content.h, so they have one definition.
 */
#ifndef CL_NOLIBC_STRING_H
#define CL_NOLIBC_STRING_H
#endif
