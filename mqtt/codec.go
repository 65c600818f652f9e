package mqtt

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

// Message types of the event envelope.
const (
	TypeUplink        = "uplink"
	TypeDownlink      = "downlink"
	TypeDownlinkError = "downlink_error"
)

// Message is the envelope of the up and down topics: {type, meta, params}.
type Message struct {
	Type   string          `json:"type"`
	Meta   Meta            `json:"meta"`
	Params json.RawMessage `json:"params"`
}

// Meta is the meta object of uplinks and downlink reports.
type Meta struct {
	Gateway string `json:"gateway"`
	// DeviceAddr is the DevAddr (multicast McAddr) in 8 hex digits, when
	// the frame is a data frame.
	DeviceAddr string `json:"device_addr,omitempty"`
	// PacketID is the MessageId of a downlink.
	PacketID string `json:"packet_id,omitempty"`
	// PacketHash is the MD5 of the PHYPayload in hex.
	PacketHash string `json:"packet_hash"`
	// Time is when the message was built.
	Time UnixTime `json:"time"`
	// MulticastGroup is the group Id of a multicast downlink.
	MulticastGroup string `json:"multicast_group,omitempty"`
}

// DownlinkParams is the params object of a "downlink" message.
type DownlinkParams struct {
	CounterDown uint32 `json:"counter_down"`
	Port        int    `json:"port"`
	// Payload is the plain payload (base64) when the agent encrypted it.
	Payload          []byte `json:"payload,omitempty"`
	EncryptedPayload []byte `json:"encrypted_payload"`
	Duplicate        bool   `json:"duplicate"`
	Radio            Radio  `json:"radio"`
}

// DownlinkErrorParams is the params object of a "downlink_error" message.
type DownlinkErrorParams struct {
	// Status is the scheduler result code (TOO_LATE, DUTY_CYCLE...).
	Status scheduler.Code `json:"status"`
	// Message explains it.
	Message string `json:"message"`
}

// UplinkParams is the params object of an "uplink" message.
type UplinkParams struct {
	// PHYPayload is the received frame (base64).
	PHYPayload []byte `json:"phy_payload"`
	Radio      Radio  `json:"radio"`
}

// Radio is the radio object of uplinks and downlink reports.
type Radio struct {
	// Freq is the centre frequency in MHz (Hz precision).
	Freq float64 `json:"freq"`
	// Time is the UTC of the emission start (downlink, when the time
	// reference was valid) or of the reception (uplink, host clock).
	Time *UnixTime `json:"time,omitempty"`
	// Datr is "SF12BW125" (LoRa) or the bit rate (FSK).
	Datr       string     `json:"datr"`
	Modulation Modulation `json:"modulation"`
	Hardware   Hardware   `json:"hardware"`
}

// Modulation is the radio.modulation object.
type Modulation struct {
	// Type is LORA or FSK.
	Type      string `json:"type"`
	Bandwidth uint32 `json:"bandwidth,omitempty"`
	Spreading int    `json:"spreading,omitempty"`
	Coderate  string `json:"coderate,omitempty"`
	// Bitrate is the FSK bit rate.
	Bitrate  uint32 `json:"bitrate,omitempty"`
	Inverted bool   `json:"inverted"`
}

// Hardware is the radio.hardware object.
type Hardware struct {
	// Tmst is the concentrator counter at the emission start (downlink)
	// or at the end of the reception (uplink).
	Tmst uint32 `json:"tmst"`
	// Chain is the RF chain, Channel the IF channel.
	Chain   int `json:"chain"`
	Channel int `json:"channel"`
	// Power is the RF power in dBm (downlinks).
	Power *float64 `json:"power,omitempty"`
	// Status is the CRC status: 1 OK, -1 bad, 0 no CRC.
	Status int `json:"status"`
	// RSSI (channel), RSSISignal, SNR, FreqOffset and FineTime (ns since
	// the PPS) describe a reception.
	RSSI       *float64 `json:"rssi,omitempty"`
	RSSISignal *float64 `json:"rssi_signal,omitempty"`
	SNR        *float64 `json:"snr,omitempty"`
	FreqOffset *int32   `json:"freq_offset,omitempty"`
	FineTime   *uint32  `json:"fine_time,omitempty"`
}

// DownlinkReport is what became of one transmission, built by
// ReportFromMulticast or ReportFromUnicast and published by
// PublishDownlinkReport.
type DownlinkReport struct {
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
	// Channel is the IF channel reported in radio.hardware (0 when the
	// chip has none for TX).
	Channel int
	// Result is the scheduler's outcome with the packet as programmed.
	Result scheduler.Result
	// Time is the report time; zero means the client's clock at
	// publication.
	Time time.Time
}

// ReportFromMulticast builds the report of a multicast transmission.
func ReportFromMulticast(gw string, r multicast.Report) DownlinkReport {
	d := DownlinkReport{
		Gateway:        gw,
		MessageId:      r.MessageId,
		MulticastGroup: r.GroupId,
		DeviceAddr:     hex.EncodeToString(r.McAddr[:]),
		CounterDown:    r.FCnt,
		Port:           r.FPort,
		PHYPayload:     r.PHYPayload,
		Payload:        r.Payload,
		Duplicate:      r.Duplicate,
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
func ReportFromUnicast(gw, messageID string, r scheduler.Result) DownlinkReport {
	d := DownlinkReport{Gateway: gw, MessageId: messageID, PHYPayload: r.Packet.Payload, Result: r}
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

// packetHash is the MD5 of the PHYPayload in hex.
func packetHash(phy []byte) string {
	h := md5.Sum(phy)
	return hex.EncodeToString(h[:])
}

// radioOf builds the radio object shared by uplinks and downlinks.
func radioOf(freq uint32, dr hal.DataRate, inverted bool) Radio {
	r := Radio{Freq: float64(freq) / 1e6, Datr: dr.Datr()}
	r.Modulation = Modulation{Type: dr.Modulation.String(), Inverted: inverted}
	if dr.Modulation == hal.FSK {
		r.Modulation.Bitrate = dr.BitRate
	} else {
		r.Modulation.Bandwidth = uint32(dr.Bandwidth)
		r.Modulation.Spreading = int(dr.SpreadingFactor)
		r.Modulation.Coderate = dr.CodeRate.String()
	}
	return r
}

// EncodeDownlinkReport encodes the report as a "downlink" message, or a
// "downlink_error" message when the result is not SENT.
func EncodeDownlinkReport(d DownlinkReport) ([]byte, error) {
	m := Message{Type: TypeDownlink, Meta: Meta{
		Gateway: d.Gateway, DeviceAddr: d.DeviceAddr, PacketID: d.MessageId,
		PacketHash: packetHash(d.PHYPayload), Time: UnixTime(d.Time), MulticastGroup: d.MulticastGroup,
	}}
	var params any
	if d.Result.Code != scheduler.Sent {
		m.Type = TypeDownlinkError
		msg := string(d.Result.Code)
		if d.Result.Err != nil {
			msg = d.Result.Err.Error()
		}
		params = DownlinkErrorParams{Status: d.Result.Code, Message: msg}
	} else {
		p := d.Result.Packet
		radio := radioOf(p.Frequency, p.DataRate, p.InvertIQ)
		if d.Result.HasTime {
			radio.Time = At(d.Result.UTC)
		}
		power := float64(p.Power)
		status := hal.CRCOK
		if p.NoCRC {
			status = hal.CRCNone
		}
		radio.Hardware = Hardware{Tmst: uint32(d.Result.Count), Chain: int(p.RFChain), Channel: d.Channel,
			Power: &power, Status: int(status)}
		enc := d.EncryptedPayload
		if enc == nil {
			enc = []byte{}
		}
		params = DownlinkParams{CounterDown: d.CounterDown, Port: d.Port, Payload: d.Payload,
			EncryptedPayload: enc, Duplicate: d.Duplicate, Radio: radio}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	m.Params = raw
	return json.Marshal(m)
}

// EncodeUplink encodes a received packet as an "uplink" message; now is
// the reception time on the host clock.
func EncodeUplink(gw string, p hal.RxPacket, now time.Time) ([]byte, error) {
	m := Message{Type: TypeUplink, Meta: Meta{Gateway: gw, PacketHash: packetHash(p.Payload), Time: UnixTime(now)}}
	if f, ok := parseData(p.Payload); ok {
		m.Meta.DeviceAddr = f.addr
	}
	radio := radioOf(p.Frequency, p.DataRate, false)
	radio.Time = At(now)
	rssi, rssis, snr := float64(p.RSSIChannel), float64(p.RSSISignal), float64(p.SNR)
	fo := p.FreqOffset
	radio.Hardware = Hardware{Tmst: uint32(p.Count), Chain: int(p.RFChain), Channel: int(p.IFChain),
		Status: int(p.CRC), RSSI: &rssi, SNR: &snr, FreqOffset: &fo}
	if p.DataRate.Modulation == hal.LoRa {
		radio.Hardware.RSSISignal = &rssis
	} else {
		radio.Hardware.SNR = nil
	}
	if p.HasFineTime {
		ft := p.FineTime
		radio.Hardware.FineTime = &ft
	}
	payload := p.Payload
	if payload == nil {
		payload = []byte{}
	}
	raw, err := json.Marshal(UplinkParams{PHYPayload: payload, Radio: radio})
	if err != nil {
		return nil, err
	}
	m.Params = raw
	return json.Marshal(m)
}

// marshalFloat writes f in decimal with the fewest digits that read back
// the same float64.
func marshalFloat(f float64) []byte {
	return strconv.AppendFloat(nil, f, 'f', -1, 64)
}

func unmarshalFloat(b []byte) (float64, error) {
	var f float64
	err := json.Unmarshal(b, &f)
	return f, err
}
