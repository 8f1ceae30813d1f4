/*
 * cl_summary.h - summary.md, short enough for a pull-request comment.
 */
#ifndef CL_SUMMARY_H
#define CL_SUMMARY_H

/* Write @out_path from the report at @report_path. 0 or CL_EINFRA. */
int cl_summary_write(const char *report_path, const char *out_path);

#endif
