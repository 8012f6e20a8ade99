#!/usr/bin/env bash
# Reads the output of `swift test` on stdin and prints the run's count as its last line: `N passed, N failed`.
# Exits 0 only when no test failed and the count could be read.
#
# Why not just show swift test's last line: on Linux `swift test` runs XCTest, then Swift Testing, and the last
# line is Swift Testing's "Test run with 0 tests in 0 suites passed", which reads as if nothing ran.
#
# The count is XCTest's own: N from the "Executed N tests, with …" line of the top suite ("All tests", or
# "Selected tests" under --filter). That line's failure count is of failed assertions, not tests, so failed and
# skipped tests are its "Test Case '…' failed" / "skipped" lines; passed = executed - failed - skipped. Swift Testing's "Test run with N tests" line and its "✘ Test … failed" lines are
# added when present. When XCTest's summary is missing (the test process crashed), the count comes from the
# per-test lines, the test that started but never finished counts as failed, and the exit code is 1.
set -uo pipefail
LC_ALL=C.UTF-8 awk '
  function top_suite(line) { return line ~ /^Test Suite .(All|Selected) tests. (passed|failed) at / }

  /^Test Case .* started at /        { started++; last_started = $0; next }
  /^Test Case .* passed \(/          { case_passed++; next }
  /^Test Case .* failed \(/          { case_failed++; next }
  /^Test Case .* skipped \(/         { case_skipped++; next }
  top_suite($0)                      { in_summary = 1; next }
  in_summary && /Executed [0-9]+ tests?, with / {
    in_summary = 0; have_xctest = 1
    executed = $0; sub(/.*Executed /, "", executed); sub(/ .*/, "", executed)
    failures = $0; sub(/.* and /, "with ", failures); sub(/.*with /, "", failures); sub(/ .*/, "", failures)
    # Each top-level summary replaces the previous one: the last run is the one that counts.
    x_executed = executed + 0; x_failures = failures + 0
    # A test that recorded a failure and then threw XCTSkip is counted by XCTest as both; its
    # "Test Case" line says failed, so the per-test lines decide.
    x_case_failed = case_failed; x_case_skipped = case_skipped
    next
  }
  # Swift Testing: "◇ Test run started.", "✘ Test foo() failed after …", "✔ Test run with 3 tests in 1 suite passed …"
  /Test run with [0-9]+ tests? / {
    n = $0; sub(/.*Test run with /, "", n); sub(/ .*/, "", n); st_total += n; have_st = 1; next
  }
  / Test [^ ].* failed after / && !/ Test run / { st_failed++; next }

  END {
    note = ""
    if (have_xctest) {
      failed = x_case_failed
      # Failures recorded outside any test case (a class-level setUp) still make the run fail.
      if (failed == 0 && x_failures > 0) failed = 1
      skipped = x_case_skipped
      passed = x_executed - skipped - failed
      status = failed > 0 ? 1 : 0
      if (x_executed == 0) { note = "no test ran (a --filter that matches nothing?)"; status = 1 }
    } else if (started > 0) {
      unfinished = started - case_passed - case_failed - case_skipped
      failed = case_failed + (unfinished > 0 ? unfinished : 0)
      passed = case_passed; skipped = case_skipped
      note = "XCTest printed no summary: the test process ended early"
      if (unfinished > 0) note = note " during: " last_started
      status = 1
    } else {
      passed = 0; failed = 0; skipped = 0
      note = "no test ran: no XCTest output was found"
      status = 1
    }
    if (have_st) {
      failed += st_failed; passed += st_total - st_failed
      if (st_failed > 0) status = 1
    }
    if (note != "") print "test summary: " note
    if (skipped > 0) print skipped " skipped"
    printf "%d passed, %d failed\n", passed, failed
    exit status
  }
'
