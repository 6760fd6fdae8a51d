/* Descriptions of the transport's return codes. */
#ifndef TRANSPORT_ERRORS_H
#define TRANSPORT_ERRORS_H

/*
 * Returns a static, one-line description of a transport code (-20 to -39),
 * or NULL for any other code.  peerguard_strerror calls it for that range.
 */
const char *transport_strerror(int code);

#endif
