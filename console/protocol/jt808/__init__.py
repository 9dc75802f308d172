"""JT/T 808 (2011/2013/2019) with the 苏标 and 粤标 active-safety extensions.

:mod:`console.protocol.jt808.codec` is the entry point; importing it registers
every message layout.
"""
