/*
 * cl_decision.c - a rule's decision (see cl_decision.h).
 */
#include "cl_decision.h"

#include <stdarg.h>
#include <stdio.h>

int cl_decision_set(struct cl_decision *out, enum cl_verdict v, const char *fmt, ...)
{
	va_list ap;

	out->verdict = v;
	va_start(ap, fmt);
	vsnprintf(out->title, sizeof(out->title), fmt, ap);
	va_end(ap);
	return 1;
}
