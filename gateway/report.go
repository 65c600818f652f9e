package gateway

import (
	"encoding/hex"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/multicast"
)

// Report is what became of one accepted downlink (the one report every
// accepted message ends in), built by ReportFromMulticast or
// ReportFromUnicast and sent on the event stream as an EventReport.
type Report struct {
	Gateway string
	// MessageId is the packet_id.
	MessageId string
	// MulticastGroup is the group Id for a multicast downlink.
	MulticastGroup string
	// DeviceAddr is the frame's DevAddr or McAddr (8 hex digits), empty
	// when the frame is not a data frame.
	DeviceAddr  string
	CounterDown uint32
	Port        int
	// PHYPayload is the frame as sent (packet_hash is its MD5).
	PHYPayload []byte
	// Payload is the plain application payload when the agent encrypted
	// it; EncryptedPayload the FRMPayload as sent.
	Payload          []byte
	EncryptedPayload []byte
	Duplicate        bool
	// Attempts is how many times a multicast frame went to the scheduler
	// (0 for unicast).
	Attempts int
	// Channel is the IF channel reported in radio.hardware (0 when the
	// chip has none for TX).
	Channel int
	// Origin says who asked: "mqtt", "udp", "multicast:<group>"...
	// Adapters may use it to publish only the reports they care about.
	Origin string
	// Result is the scheduler's outcome with the packet as programmed.
	Result TxResult
	// Time is the report time; zero means the client's clock at
	// publication.
	Time time.Time
}

// ReportFromMulticast builds the report of a multicast transmission.
func ReportFromMulticast(gw string, r multicast.Report) Report {
	d := Report{
		Gateway:        gw,
		MessageId:      r.MessageId,
		MulticastGroup: r.GroupId,
		DeviceAddr:     hex.EncodeToString(r.McAddr[:]),
		CounterDown:    r.FCnt,
		Port:           r.FPort,
		PHYPayload:     r.PHYPayload,
		Payload:        r.Payload,
		Duplicate:      r.Duplicate,
		Attempts:       r.Attempts,
		Origin:         "multicast:" + r.GroupId,
		Result:         r.Result,
	}
	if f, ok := parseData(r.PHYPayload); ok {
		d.EncryptedPayload = f.frm
	}
	return d
}

// ReportFromUnicast builds the report of a SendDownlink transmission; the
// device address, counter, port and FRMPayload come from the frame when it
// is a data frame.
func ReportFromUnicast(gw, messageID string, r TxResult) Report {
	d := Report{Gateway: gw, MessageId: messageID, PHYPayload: r.Packet.Payload, Result: r}
	if f, ok := parseData(r.Packet.Payload); ok {
		d.DeviceAddr, d.CounterDown, d.Port, d.EncryptedPayload = f.addr, f.fcnt, f.port, f.frm
	}
	return d
}

type dataFrame struct {
	addr string
	fcnt uint32
	port int
	frm  []byte
}

// parseData reads the unencrypted header of a LoRaWAN data frame.
func parseData(phy []byte) (dataFrame, bool) {
	var p lorawan.PHYPayload
	if err := p.UnmarshalBinary(phy); err != nil {
		return dataFrame{}, false
	}
	mp, ok := p.MACPayload.(*lorawan.MACPayload)
	if !ok {
		return dataFrame{}, false
	}
	f := dataFrame{addr: mp.FHDR.DevAddr.String(), fcnt: mp.FHDR.FCnt}
	if mp.FPort != nil {
		f.port = int(*mp.FPort)
	}
	for _, pl := range mp.FRMPayload {
		if dp, ok := pl.(*lorawan.DataPayload); ok {
			f.frm = append(f.frm, dp.Bytes...)
		}
	}
	return f, true
}

// DeviceAddr returns the DevAddr of a LoRaWAN data frame in 8 hex digits,
// or "" when phy is not a data frame.
func DeviceAddr(phy []byte) string {
	if f, ok := parseData(phy); ok {
		return f.addr
	}
	return ""
}
