/*
 * cl_html.h - report.html, one self-contained page for people.
 */
#ifndef CL_HTML_H
#define CL_HTML_H

/* Write @out_path from the report at @report_path. 0 or CL_EINFRA. */
int cl_html_write(const char *report_path, const char *out_path);
/* The pages' style: layout, tables, a class per verdict (v-pass, v-crash, ...). */
extern const char cl_html_css[];

#endif
