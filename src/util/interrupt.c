#include "util/interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t received;

static void
on_signal(int sig)
{
    received = sig;
}

void
interrupt_install(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
}

int
interrupt_pending(void)
{
    return (int)received;
}
