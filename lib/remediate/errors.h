/* Descriptions of the remediation return codes. */
#ifndef REMEDIATE_ERRORS_H
#define REMEDIATE_ERRORS_H

/*
 * Returns a static, one-line description of a remediation code (-40 to
 * -59), or NULL for any other code.  peerguard_strerror calls it for that
 * range.
 */
const char *remediate_strerror(int code);

#endif
