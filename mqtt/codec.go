package mqtt

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/lgwagent/lgw/gateway"
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
	// Attempts is how many times a multicast frame went to the scheduler
	// (more than 1 after a late hand-off sent again); absent for unicast.
	Attempts int   `json:"attempts,omitempty"`
	Radio    Radio `json:"radio"`
}

// DownlinkErrorParams is the params object of a "downlink_error" message.
type DownlinkErrorParams struct {
	// Status is the scheduler result code (TOO_LATE, DUTY_CYCLE...).
	Status gateway.Code `json:"status"`
	// Message explains it.
	Message string `json:"message"`
	// Attempts is as in DownlinkParams.
	Attempts int `json:"attempts,omitempty"`
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

// packetHash is the MD5 of the PHYPayload in hex.
func packetHash(phy []byte) string {
	h := md5.Sum(phy)
	return hex.EncodeToString(h[:])
}

// radioOf builds the radio object shared by uplinks and downlinks.
func radioOf(freq uint32, dr gateway.DataRate, inverted bool) Radio {
	r := Radio{Freq: float64(freq) / 1e6, Datr: dr.Datr()}
	r.Modulation = Modulation{Type: dr.Modulation.String(), Inverted: inverted}
	if dr.Modulation == gateway.FSK {
		r.Modulation.Bitrate = dr.BitRate
	} else {
		r.Modulation.Bandwidth = uint32(dr.Bandwidth)
		r.Modulation.Spreading = int(dr.SpreadingFactor)
		r.Modulation.Coderate = dr.CodeRate.String()
	}
	return r
}

// DownlinkReport is what became of one transmission: the gateway's
// report event, published by PublishDownlinkReport.
type DownlinkReport = gateway.Report

// EncodeDownlinkReport encodes the report as a "downlink" message, or a
// "downlink_error" message when the result is not SENT.
func EncodeDownlinkReport(d DownlinkReport) ([]byte, error) {
	m := Message{Type: TypeDownlink, Meta: Meta{
		Gateway: d.Gateway, DeviceAddr: d.DeviceAddr, PacketID: d.MessageId,
		PacketHash: packetHash(d.PHYPayload), Time: UnixTime(d.Time), MulticastGroup: d.MulticastGroup,
	}}
	var params any
	if d.Result.Code != gateway.Sent {
		m.Type = TypeDownlinkError
		msg := string(d.Result.Code)
		if d.Result.Err != nil {
			msg = d.Result.Err.Error()
		}
		params = DownlinkErrorParams{Status: d.Result.Code, Message: msg, Attempts: d.Attempts}
	} else {
		p := d.Result.Packet
		radio := radioOf(p.Frequency, p.DataRate, p.InvertIQ)
		if d.Result.HasTime {
			radio.Time = At(d.Result.UTC)
		}
		power := float64(p.Power)
		status := gateway.CRCOK
		if p.NoCRC {
			status = gateway.CRCNone
		}
		radio.Hardware = Hardware{Tmst: uint32(d.Result.Count), Chain: int(p.RFChain), Channel: d.Channel,
			Power: &power, Status: int(status)}
		enc := d.EncryptedPayload
		if enc == nil {
			enc = []byte{}
		}
		params = DownlinkParams{CounterDown: d.CounterDown, Port: d.Port, Payload: d.Payload,
			EncryptedPayload: enc, Duplicate: d.Duplicate, Attempts: d.Attempts, Radio: radio}
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
func EncodeUplink(gw string, p gateway.Uplink, now time.Time) ([]byte, error) {
	m := Message{Type: TypeUplink, Meta: Meta{Gateway: gw, PacketHash: packetHash(p.Payload), Time: UnixTime(now)}}
	m.Meta.DeviceAddr = gateway.DeviceAddr(p.Payload)
	radio := radioOf(p.Frequency, p.DataRate, false)
	radio.Time = At(now)
	rssi, rssis, snr := float64(p.RSSIChannel), float64(p.RSSISignal), float64(p.SNR)
	fo := p.FreqOffset
	radio.Hardware = Hardware{Tmst: uint32(p.Count), Chain: int(p.RFChain), Channel: int(p.IFChain),
		Status: int(p.CRC), RSSI: &rssi, SNR: &snr, FreqOffset: &fo}
	if p.DataRate.Modulation == gateway.LoRa {
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
