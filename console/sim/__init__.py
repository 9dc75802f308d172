"""The fleet simulator (``truckwatch-sim``): virtual terminals that speak the real protocol
over TCP to a TruckWatch platform.

Sans-I/O cores, each testable with bytes and times alone: :mod:`~console.sim.routes` (roads
between the towns of 清远), :mod:`~console.sim.driver` (how a truck is driven, and the rules
its driver breaks), :mod:`~console.sim.alarms` (active-safety alarms and the 0x0200 reports),
:mod:`~console.sim.terminal` (one terminal's JT/T 808 state machine),
:mod:`~console.sim.upload` (alarm evidence and its upload), :mod:`~console.sim.video`
(H.264 / G.711A in JT/T 1078 packets). The asyncio shell is :mod:`~console.sim.fleet`; the
command is :mod:`~console.sim.cli`; the vehicles come from :mod:`~console.sim.world`.

The simulator reaches the platform only over the network; it never imports
``console.platform``.
"""
