/*
 * cl_xmlw.h - small helpers over libxml2's text writer, shared by the XML
 * and HTML report writers. Guest text may hold anything: what XML 1.0 cannot
 * carry (control characters, malformed UTF-8, surrogates, U+FFFE, U+FFFF)
 * becomes '?', and the writer escapes the rest.
 */
#ifndef CL_XMLW_H
#define CL_XMLW_H

#include <libxml/xmlwriter.h>

#define CL_XC(x) ((const xmlChar *)(x))

/* Text content: each character XML 1.0 cannot carry becomes one '?' (tab, newline and CR stay). */
void cl_xmlw_text(xmlTextWriterPtr w, const char *s);
/* An attribute with the same treatment. */
void cl_xmlw_attr(xmlTextWriterPtr w, const char *name, const char *value);
/* <NAME>TEXT</NAME> */
void cl_xmlw_el(xmlTextWriterPtr w, const char *name, const char *s);
/* The document in @w's buffer, written to @path whole or not at all. */
int cl_xmlw_save(xmlTextWriterPtr w, xmlBufferPtr buf, const char *path);

#endif
