package udp

import (
	"math"
	"time"

	"github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/udp/gwmp"
)

// Uplink is a received packet and, when the GPS time reference was valid,
// its time since the GPS epoch.
type Uplink struct {
	Packet gateway.Uplink
	// GPSTime is the end of the packet since the GPS epoch (HasGPSTime).
	GPSTime    time.Duration
	HasGPSTime bool
}

// forwards reports whether the forwarder's CRC settings let p through.
func (c Config) forwards(p gateway.Uplink) bool {
	switch p.CRC {
	case gateway.CRCOK:
		return true
	case gateway.CRCBad:
		return c.ForwardCRCError
	default:
		return c.ForwardNoCRC
	}
}

// rxpkOf maps a received packet to its rxpk object (docs/udp.md lists
// every field).
func rxpkOf(u Uplink) gwmp.RXPK {
	p := u.Packet
	r := gwmp.RXPK{
		Tmst: uint32(p.Count), Chan: p.IFChain, RFCh: p.RFChain, Freq: gwmp.MHz(p.Frequency), Stat: int8(p.CRC),
		Modu: p.DataRate.Modulation.String(), RSSI: int32(math.Round(float64(p.RSSIChannel))),
		Size: uint16(len(p.Payload)), Data: p.Payload,
	}
	if r.Data == nil {
		r.Data = gwmp.Data{}
	}
	if u.HasGPSTime {
		t := gwmp.RxTime(time.Time(gps.NewTimeFromTimeSinceGPSEpoch(u.GPSTime)).UTC())
		ms := uint64(u.GPSTime / time.Millisecond)
		r.Time, r.Tmms = &t, &ms
	}
	if p.HasFineTime {
		ft := p.FineTime
		r.FTime = &ft
	}
	switch p.DataRate.Modulation {
	case gateway.LoRa:
		r.DatR = gwmp.DataRate{LoRa: p.DataRate.Datr()}
		r.CodR = "OFF" // coding rate 0: mostly a false sync, as the reference says
		if p.DataRate.CodeRate.Valid() {
			r.CodR = p.DataRate.CodeRate.String()
		}
		rssis := int32(math.Round(float64(p.RSSISignal)))
		snr := gwmp.Tenth(math.Round(float64(p.SNR)*10) / 10)
		foff := p.FreqOffset
		r.RSSIS, r.LSNR, r.Foff = &rssis, &snr, &foff
	case gateway.FSK:
		r.DatR = gwmp.DataRate{FSK: p.DataRate.BitRate}
	}
	return r
}
