/* The scratch server's version choice: the major version of a dump's server. */
#include "source/pgcluster.h"
#include "test.h"

TEST(major_versions)
{
    CHECK_EQ_INT(pgcluster_major("15.18 (Debian 15.18-0+deb12u1)"), 15);
    CHECK_EQ_INT(pgcluster_major("17.2"), 17);
    CHECK_EQ_INT(pgcluster_major("9.6.24"), 96);
    CHECK_EQ_INT(pgcluster_major(""), 0);
    CHECK_EQ_INT(pgcluster_major("unknown"), 0);
}

int
main(void)
{
    RUN(major_versions);
    return test_done();
}
