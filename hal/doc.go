// Package hal is the concentrator contract of lgw: the interface that the
// SX1302/SX1303 driver, the SX1301 driver and the simulator implement, and the
// radio types the rest of the agent speaks.
//
// Time on the chip is a free-running 32-bit microsecond counter (Count, the
// "tmst" of the Semtech protocols) that wraps every 2^32 µs (71.6 minutes).
// Everything above the drivers works on the unwrapped 64-bit Micros timeline;
// a Timeline widens successive counter readings and narrows back.
package hal
