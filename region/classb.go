package region

// Class B and downlink facts per region that the multicast rules and the
// scheduler share (spec-classb-multicast.md §1.5, §5.3; RP002-1.0.4).

// FrameOverhead is what a LoRaWAN data frame adds to its FRMPayload: MHDR
// 1 + FHDR 7 (no FOpts) + FPort 1 + MIC 4 bytes. A PHYPayload may be
// MaxPayload(dr) + FrameOverhead bytes long.
const FrameOverhead = 13

// MinPingPeriod is the shortest class B ping period in slots (Periodicity
// 0: every second); the longest is PingSlots (Periodicity 7).
const MinPingPeriod = 32

// PingSlotDR returns the region's default class B ping-slot data rate,
// which is its beacon data rate (§1.5).
func (r *Region) PingSlotDR() int { return beaconLayout[r.name].dr }

// PingSlotsHop reports whether the default ping-slot frequency hops per
// beacon period over the downlink channels (US915, AU915, legacy CN470)
// instead of being one fixed frequency.
func (r *Region) PingSlotsHop() bool {
	switch r.name {
	case US915, AU915, CN470:
		return true
	}
	return false
}

// usDownlink is the fixed downlink channel plan of US915 and AU915: eight
// 500 kHz channels from 923.3 MHz every 600 kHz (§5.3).
func usDownlink(f uint32) bool {
	return f >= 923_300_000 && f <= 927_500_000 && (f-923_300_000)%600_000 == 0
}

// FixedDownlinkChannels reports whether the region's downlinks must use a
// fixed channel plan (US915, AU915: 923.3 MHz + n × 600 kHz, n = 0 to 7).
func (r *Region) FixedDownlinkChannels() bool { return r.name == US915 || r.name == AU915 }

// DownlinkChannel reports whether f may carry a downlink in the region:
// always where there is no fixed plan, else f must be one of its channels.
func (r *Region) DownlinkChannel(f uint32) bool {
	return !r.FixedDownlinkChannels() || usDownlink(f)
}
