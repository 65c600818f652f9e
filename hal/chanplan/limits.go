package chanplan

import (
	"fmt"

	"github.com/lgwagent/lgw/hal"
)

// Limits is what a chip (with its radios) can receive; each driver
// declares its own.
type Limits struct {
	// Chip names the chip in errors ("SX1302").
	Chip string
	// MaxEdge is the largest |IF| + BW/2 a radio passes, per channel
	// bandwidth, in Hz (half the radio's receive bandwidth).
	MaxEdge map[hal.Bandwidth]uint32
	// ServiceSF is the lowest and highest spreading factor of the LoRa
	// service channel.
	ServiceSF [2]uint8
	// FSKBitRate is the lowest and highest FSK bit rate; zero: no FSK.
	FSKBitRate [2]uint32
}

// SX1302 is the SX1302/SX1303 with SX1250 radios: each radio passes
// 1.6 MHz whatever the channel bandwidth, the service channel takes SF5-12.
var SX1302 = Limits{
	Chip:       "SX1302",
	MaxEdge:    map[hal.Bandwidth]uint32{hal.BW125: 800000, hal.BW250: 800000, hal.BW500: 800000},
	ServiceSF:  [2]uint8{5, 12},
	FSKBitRate: [2]uint32{500, 250000},
}

func (l Limits) maxEdge(bw hal.Bandwidth) uint32 { return l.MaxEdge[bw] }

func (l Limits) checkService(dr hal.DataRate) error {
	if dr.Modulation != hal.LoRa {
		return &Error{Item: "service_channel", Msg: "needs a LoRa data rate"}
	}
	if _, ok := l.MaxEdge[dr.Bandwidth]; !ok {
		return &Error{Item: "service_channel", Msg: fmt.Sprintf("bandwidth %d Hz: want 125000, 250000 or 500000", uint32(dr.Bandwidth))}
	}
	if dr.SpreadingFactor < l.ServiceSF[0] || dr.SpreadingFactor > l.ServiceSF[1] {
		return &Error{Item: "service_channel", Msg: fmt.Sprintf("spreading factor %d: the %s takes %d to %d",
			dr.SpreadingFactor, l.Chip, l.ServiceSF[0], l.ServiceSF[1])}
	}
	return nil
}

func (l Limits) checkFSK(rate uint32) error {
	if l.FSKBitRate[1] == 0 {
		return &Error{Item: "fsk_channel", Msg: "the " + l.Chip + " has no FSK channel"}
	}
	if rate < l.FSKBitRate[0] || rate > l.FSKBitRate[1] {
		return &Error{Item: "fsk_channel", Msg: fmt.Sprintf("bit rate %d: the %s takes %d to %d bit/s",
			rate, l.Chip, l.FSKBitRate[0], l.FSKBitRate[1])}
	}
	return nil
}
