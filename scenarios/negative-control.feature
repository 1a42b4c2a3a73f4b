@expected-to-fail
Feature: Negative control: a check that cannot fail is caught
  The seed asks "how do we know that our monitoring is not just saying OK?". Here a member's HTTP check
  is switched off in Nagios (DISABLE_SVC_CHECK through its command file, as someone silencing a noisy
  check would), then the member is destroyed. A monitoring that could be trusted would turn the member
  all red; this one cannot, because Nagios no longer runs that check on its own. Vigil must not pass
  it: the Then fails at its deadline and names the check as "disabled" — a disabled check is never
  counted as red (or green), even when a forced re-check has made Nagios run it once.

  THIS SCENARIO IS EXPECTED TO FAIL (exit 2): its failure is the proof that a check that cannot fail is
  caught. Passing would mean Vigil trusted a check nobody runs. Its test (test/stack/scenarios.test.ts)
  requires exit 2 and the report naming nagios:app-0!HTTP as disabled. The undos enable the check again
  and restore the member.

  Scenario: app-0 is destroyed while its HTTP check is disabled
    Given within 1m the member "app-0" is all green
    When I run the action "disable-check" with member "app-0" and check "HTTP"
    And I destroy member "app-0"
    Then within 15s the member "app-0" is all red
