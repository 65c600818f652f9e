package gwmp

import (
	"encoding/json"
	"fmt"
)

// RXPK is one received packet with its metadata, as PUSH_DATA carries it.
// Optional fields are pointers and are left out when nil.
type RXPK struct {
	// Time is the UTC time of the end of the packet (GPS time reference
	// valid only).
	Time *RxTime `json:"time,omitempty"`
	// Tmms is the same in milliseconds since the GPS epoch.
	Tmms *uint64 `json:"tmms,omitempty"`
	// Tmst is the concentrator counter at the end of the packet (µs).
	Tmst uint32 `json:"tmst"`
	// FTime is the SX1303 fine timestamp, ns since the last PPS.
	FTime *uint32 `json:"ftime,omitempty"`
	// Chan is the IF channel, RFCh the RF chain.
	Chan uint8 `json:"chan"`
	RFCh uint8 `json:"rfch"`
	// Freq is the channel centre.
	Freq MHz `json:"freq"`
	// Stat is the CRC status: 1 OK, -1 failed, 0 no CRC.
	Stat int8 `json:"stat"`
	// Modu is "LORA" or "FSK".
	Modu string   `json:"modu"`
	DatR DataRate `json:"datr"`
	// CodR is the LoRa coding rate ("4/5"); absent for FSK.
	CodR string `json:"codr,omitempty"`
	// RSSI is the channel RSSI, RSSIS the signal RSSI (LoRa), in dBm.
	RSSI  int32  `json:"rssi"`
	RSSIS *int32 `json:"rssis,omitempty"`
	// LSNR is the LoRa SNR in dB.
	LSNR *Tenth `json:"lsnr,omitempty"`
	// Foff is the LoRa frequency offset in Hz.
	Foff *int32 `json:"foff,omitempty"`
	Size uint16 `json:"size"`
	Data Data   `json:"data"`
}

// Stat is the gateway status a PUSH_DATA carries every stat interval.
// Counts are over the interval since the previous stat.
type Stat struct {
	Time StatTime `json:"time"`
	// Lati, Long (degrees) and Alti (metres) are the gateway's position.
	Lati *Degrees `json:"lati,omitempty"`
	Long *Degrees `json:"long,omitempty"`
	Alti *int32   `json:"alti,omitempty"`
	// RxNb packets received, RxOK with a valid CRC, RxFw forwarded.
	RxNb uint32 `json:"rxnb"`
	RxOK uint32 `json:"rxok"`
	RxFw uint32 `json:"rxfw"`
	// ACKR is the percentage of PUSH_DATA datagrams acknowledged.
	ACKR Tenth `json:"ackr"`
	// DwNb is the PULL_RESP datagrams received, TxNb the packets emitted.
	DwNb uint32 `json:"dwnb"`
	TxNb uint32 `json:"txnb"`
}

// Upstream is the JSON object of a PUSH_DATA datagram.
type Upstream struct {
	RXPK []RXPK `json:"rxpk,omitempty"`
	Stat *Stat  `json:"stat,omitempty"`
}

// Encode returns the JSON object.
func (p Upstream) Encode() ([]byte, error) { return json.Marshal(p) }

// DecodeUpstream parses the JSON of a PUSH_DATA datagram (the server's
// side: tests and tools).
func DecodeUpstream(b []byte) (Upstream, error) {
	var p Upstream
	if err := json.Unmarshal(b, &p); err != nil {
		return Upstream{}, &DecodeError{Kind: ErrJSON, Field: "push_data", Msg: err.Error()}
	}
	if p.RXPK == nil && p.Stat == nil {
		return Upstream{}, &DecodeError{Kind: ErrJSON, Field: "push_data", Msg: "neither rxpk nor stat"}
	}
	for i, r := range p.RXPK {
		if int(r.Size) != len(r.Data) {
			return Upstream{}, &DecodeError{Kind: ErrJSON, Field: fmt.Sprintf("rxpk[%d].size", i),
				Msg: fmt.Sprintf("%d, but data holds %d bytes", r.Size, len(r.Data))}
		}
	}
	return p, nil
}
