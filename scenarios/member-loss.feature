Feature: Losing one member of the shop
  The seed's example (docs/scenarios.md): when one machine of the service dies, the service itself
  keeps passing its checks, and the monitoring notices that the machine is gone. The change of
  transitivity is the point: "are all participants ok?" is not "does the service still work?".
  `destroy-member` and `restore-member` are actions in vigil.yaml (scenarios.actions); the destroy
  names its restore as `undo`, so the member comes back whatever happens to the scenario.
  Every Then rests only on results taken after the destroy (docs/model.md, "Evidence newer than the
  question"). The service's own checks include the last run of the demo suite, so the suite runs
  again after the destroy: a run from before it says nothing about a shop with one member gone. A
  suite run is evidence, not a change: both Thens count their time to detect from the destroy.
  On the example stack (node demo/stack/start.ts) the destroy is a SIGKILL to app-0's processes and
  the restore starts it again (demo/stack/control.ts); "all green transitively" includes the last
  run of the demo suite, so run it once first (vigil run --suite demo --environment stack).
  The Given waits up to a minute: on a schedule (vigil serve), the previous fire's restore may still be
  settling when the next fire comes, and a scenario that starts from a broken service tests nothing.

  Scenario: one app member is destroyed
    Given within 1m the service "shop" is all green transitively
    When I destroy member "app-0"
    Then within 2m the member "app-0" is all red
    When I run the suite "demo" on "stack"
    Then within 2m the service "shop" is all green non-transitively
