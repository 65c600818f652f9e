package multicast

import (
	"errors"
	"fmt"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/region"
)

// devAddr converts an address as written (MSB first) to brocaar's type.
func devAddr(a [4]byte) lorawan.DevAddr { return lorawan.DevAddr(a) }

// BuildFrame returns the PHYPayload of an unconfirmed data down frame to
// addr with frame counter fcnt on fport: FRMPayload encrypted with appSKey,
// MIC with nwkSKey (LoRaWAN 1.0.x downlink MIC, as multicast frames are;
// spec-classb-multicast.md §1.9).
func BuildFrame(addr [4]byte, fcnt uint32, fport uint8, payload []byte, nwkSKey, appSKey [16]byte) ([]byte, error) {
	fp := fport
	p := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataDown, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{
			FHDR:       lorawan.FHDR{DevAddr: devAddr(addr), FCnt: fcnt},
			FPort:      &fp,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: append([]byte(nil), payload...)}},
		},
	}
	if err := p.EncryptFRMPayload(lorawan.AES128Key(appSKey)); err != nil {
		return nil, fmt.Errorf("encrypt frame: %w", err)
	}
	if err := p.SetDownlinkDataMIC(lorawan.LoRaWAN1_0, 0, lorawan.AES128Key(nwkSKey)); err != nil {
		return nil, fmt.Errorf("frame mic: %w", err)
	}
	b, err := p.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("marshal frame: %w", err)
	}
	return b, nil
}

// readyFrame is what lgw checks of a PHYPayload a keyless group receives.
type readyFrame struct {
	fcnt  uint32 // 16 bits as on air
	fport int    // -1 when absent
}

// parseReadyFrame checks a network-built PHYPayload for group address
// addr: an unconfirmed data down frame to addr, FPort 1 to 223 when it
// carries a payload, no larger than N + 13 bytes.
func parseReadyFrame(b []byte, addr [4]byte, n int) (readyFrame, error) {
	const field = "PayloadData"
	rf := readyFrame{fport: -1}
	if len(b) > n+region.FrameOverhead {
		return rf, apierr.Newf(apierr.Validation, field, "PHYPayload of %d bytes exceeds %d (N %d + 13) at the session's data rate", len(b), n+region.FrameOverhead, n)
	}
	var p lorawan.PHYPayload
	if err := p.UnmarshalBinary(b); err != nil {
		return rf, &apierr.Error{Kind: apierr.Validation, Field: field, Message: "not a LoRaWAN PHYPayload", Err: err}
	}
	if p.MHDR.MType != lorawan.UnconfirmedDataDown {
		return rf, apierr.Newf(apierr.Validation, field, "frame type %s: want UnconfirmedDataDown", p.MHDR.MType)
	}
	mp, ok := p.MACPayload.(*lorawan.MACPayload)
	if !ok {
		return rf, apierr.Wrap(apierr.Validation, errors.New("no MAC payload"), "PayloadData")
	}
	if [4]byte(mp.FHDR.DevAddr) != addr {
		return rf, apierr.Newf(apierr.Validation, field, "frame address %s is not the group's McAddr %x", mp.FHDR.DevAddr, addr)
	}
	rf.fcnt = mp.FHDR.FCnt
	if mp.FPort != nil {
		rf.fport = int(*mp.FPort)
		if rf.fport < MinFPort || rf.fport > MaxFPort {
			return rf, apierr.Newf(apierr.Validation, field, "frame FPort %d is out of range 1 to 223", rf.fport)
		}
	}
	return rf, nil
}
