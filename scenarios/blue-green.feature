Feature: Blue/green switch of the shop, gated on the model
  The seed's aim: rebuild a fresh environment, then redirect the live traffic into it — but only once
  the monitoring says the new one is healthy, all of it. The Given is the gate: when "green" is not
  all green transitively (a member down, a check stale or disabled, too few members) the scenario
  fails there and the switch never runs. After the switch, Vigil's demo suite runs through the load
  balancer, now served by green. `switch` names `switch-back` as its undo, so the shop is routed back
  to blue ("app") when the scenario ends, whatever happened.
  On the example stack: node demo/stack/start.ts --green 1 (the switch is HAProxy's runtime API,
  `set map <dir>/routes.map live green`); the suite needs DEMO_ADMIN_TOKEN as start.ts prints it.

  Scenario: the shop moves to green once green is all green
    Given the service "green" is all green transitively
    When I switch "shop" to "green"
    And I run the suite "demo" on "stack"
    Then the suite "demo" on "stack" passes
    And the service "shop" is all green non-transitively
