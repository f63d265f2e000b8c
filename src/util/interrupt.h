/*
 * Interrupts: SIGINT, SIGTERM and SIGHUP set a flag instead of killing the process, so a run that is
 * stopped unwinds like any failure: the dump tool is stopped, unfinished objects are removed, and the
 * error says why. Loops that wait on I/O check interrupt_pending().
 */
#ifndef SAFEDUMP_UTIL_INTERRUPT_H
#define SAFEDUMP_UTIL_INTERRUPT_H

/** interrupt_install(): install the handlers (without SA_RESTART, so blocking reads return EINTR). */
void interrupt_install(void);

/** interrupt_pending(): the number of the signal received, or 0. */
int interrupt_pending(void);

#endif
