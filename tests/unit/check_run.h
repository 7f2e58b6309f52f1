/* The end of every Check suite's main: run the suite, free the runner,
   and answer the exit status (0 when every test passed). */
#ifndef SB_CHECK_RUN_H
#define SB_CHECK_RUN_H

#include <check.h>

static inline int
sb_check_run (Suite *s)
{
  SRunner *sr = srunner_create (s);
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}

/* A suite of one test case, named as given, of the tests listed. */
#define SB_CHECK_MAIN(suite, tcase, ...)                                                                              \
  int main (void)                                                                                                      \
  {                                                                                                                    \
    const TTest *tests_[] = { __VA_ARGS__ };                                                                           \
    Suite *s_ = suite_create (suite);                                                                                  \
    TCase *tc_ = tcase_create (tcase);                                                                                 \
                                                                                                                       \
    for (size_t i_ = 0; i_ < sizeof (tests_) / sizeof (tests_[0]); i_++)                                               \
      tcase_add_test (tc_, tests_[i_]);                                                                                \
    suite_add_tcase (s_, tc_);                                                                                         \
    return sb_check_run (s_);                                                                                          \
  }

#endif
