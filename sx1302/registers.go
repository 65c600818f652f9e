package sx1302

import "fmt"

// Field is one named register field of the SX1302: its 15-bit address, the
// bit offset of its LSB, its width, flags and reset default, packed into a
// constant (sx1302-bringup.md §2.1). No field spans bytes.
type Field uint64

// Field layout: address bits 0-15, offset 16-18, width 20-23, flags 24-27,
// default 32-39.
const (
	o      = 16 // offset shift
	w      = 20 // width shift
	d      = 32 // default shift
	signed = Field(1) << 24
	ro     = Field(1) << 25 // read-only: writes are refused
	pulse  = Field(1) << 26 // pulse or clear-on-write: not checkable by read-back
)

// Addr is the field's register address.
func (f Field) Addr() uint16 { return uint16(f) }

// Offset is the bit position of the field's LSB.
func (f Field) Offset() uint8 { return uint8(f>>o) & 7 }

// Width is the field width in bits (1 to 8).
func (f Field) Width() uint8 { return uint8(f>>w) & 0xf }

// Signed reports whether the field is two's complement.
func (f Field) Signed() bool { return f&signed != 0 }

// ReadOnly reports whether the chip refuses writes to the field.
func (f Field) ReadOnly() bool { return f&ro != 0 }

// Pulse reports whether the field is a pulse or write-to-clear bit.
func (f Field) Pulse() bool { return f&pulse != 0 }

// Default is the field's value after reset.
func (f Field) Default() uint8 { return uint8(f >> d) }

// Mask is the field's bit mask within its byte.
func (f Field) Mask() uint8 { return uint8(((1 << f.Width()) - 1) << f.Offset()) }

// String returns "0x5780[2:1]" (address, offset, width).
func (f Field) String() string { return fmt.Sprintf("0x%04x[%d:%d]", f.Addr(), f.Offset(), f.Width()) }

// Memory windows and block bases (sx1302-bringup.md §2.2).
const (
	MemAGC      = 0x0000 // AGC program RAM, 8192 bytes
	MemARB      = 0x2000 // ARB program RAM, 8192 bytes
	MemRXBuffer = 0x4000 // RX FIFO read port (address does not advance)
	MemTXBufA   = 0x5300 // TX payload buffer, chain A
	MemTXBufB   = 0x5500 // TX payload buffer, chain B
	BaseTXTopA  = 0x5200
	BaseTXTopB  = 0x5400
	FirmwareLen = 8192
)

// COMMON block, 0x5600 (sx1302-bringup.md §2.4 A and B).
const (
	CommonPage           = Field(0x5600 | 0<<o | 2<<w)
	CommonClk32RifCtrl   = Field(0x5601 | 4<<o | 1<<w)
	CommonHostRadioCtrl  = Field(0x5601 | 3<<o | 1<<w | 1<<d)
	CommonSX1261ModeB    = Field(0x5601 | 1<<o | 1<<w | 1<<d)
	CommonSX1261ModeA    = Field(0x5601 | 0<<o | 1<<w | 1<<d)
	CommonGlobalEn       = Field(0x5605 | 3<<o | 1<<w)
	CommonFSKModemEn     = Field(0x5605 | 2<<o | 1<<w)
	CommonConcModemEn    = Field(0x5605 | 1<<o | 1<<w)
	CommonMBWSSFModemEn  = Field(0x5605 | 0<<o | 1<<w)
	CommonVersion        = Field(0x5606 | 0<<o | 8<<w | 16<<d | ro)
	GPIODirL             = Field(0x5641 | 0<<o | 8<<w)
	GPIOOutL             = Field(0x5643 | 0<<o | 8<<w)
	ClkCtrlRadioASel     = Field(0x57C0 | 0<<o | 1<<w)
	ClkCtrlRadioBSel     = Field(0x57C0 | 1<<o | 1<<w)
	ClkCtrlClkDivEn      = Field(0x57C0 | 2<<o | 1<<w)
	RadioFEHostFilterA   = Field(0x5701 | 0<<o | 4<<w)
	RadioFEDCNotchA      = Field(0x5701 | 5<<o | 1<<w)
	RadioFEHostFilterB   = Field(0x570E | 0<<o | 4<<w)
	RadioFEDCNotchB      = Field(0x570E | 5<<o | 1<<w)
	RadioFERSSIDBDefA    = Field(0x5702 | 0<<o | 8<<w)
	RadioFERSSIDecDefA   = Field(0x5703 | 0<<o | 8<<w)
	RadioFERSSIBBAlphaA  = Field(0x5707 | 0<<o | 5<<w)
	RadioFERSSIDecAlphaA = Field(0x5708 | 0<<o | 5<<w)
	RadioFERSSIDBDefB    = Field(0x570F | 0<<o | 8<<w)
	RadioFERSSIDecDefB   = Field(0x5710 | 0<<o | 8<<w)
	RadioFERSSIBBAlphaB  = Field(0x5714 | 0<<o | 5<<w)
	RadioFERSSIDecAlphaB = Field(0x5715 | 0<<o | 5<<w)
)

// AGC MCU block, 0x5780 (sx1302-bringup.md §2.4 C and D). Mailbox n is
// BYTE0 minus n: write mailbox 0 at 0x578C, read mailbox 0 at 0x5790.
const (
	AGCClkEn          = Field(0x5780 | 4<<o | 1<<w | 1<<d)
	AGCForceHostFE    = Field(0x5780 | 3<<o | 1<<w)
	AGCMCUClear       = Field(0x5780 | 2<<o | 1<<w | 1<<d)
	AGCHostProg       = Field(0x5780 | 1<<o | 1<<w)
	AGCParityError    = Field(0x5780 | 0<<o | 1<<w | ro)
	AGCStatus         = Field(0x5781 | 0<<o | 8<<w | ro)
	AGCRFEnARadioRst  = Field(0x5783 | 3<<o | 1<<w)
	AGCRFEnARadioEn   = Field(0x5783 | 2<<o | 1<<w)
	AGCRFEnAPAEn      = Field(0x5783 | 1<<o | 1<<w)
	AGCRFEnALNAEn     = Field(0x5783 | 0<<o | 1<<w)
	AGCRFEnBRadioRst  = Field(0x5784 | 3<<o | 1<<w)
	AGCRFEnBRadioEn   = Field(0x5784 | 2<<o | 1<<w)
	AGCLUTAPA         = Field(0x5785 | 4<<o | 4<<w)
	AGCLUTALNA        = Field(0x5785 | 0<<o | 4<<w)
	AGCLUTBPA         = Field(0x5786 | 4<<o | 4<<w)
	AGCLUTBLNA        = Field(0x5786 | 0<<o | 4<<w)
	AGCMailboxWrByte3 = Field(0x5789 | 0<<o | 8<<w)
	AGCMailboxWrByte0 = Field(0x578C | 0<<o | 8<<w)
	AGCMailboxRdByte3 = Field(0x578D | 0<<o | 8<<w | ro)
	AGCMailboxRdByte0 = Field(0x5790 | 0<<o | 8<<w | ro)
)

// ARB MCU block, 0x6080 (sx1302-bringup.md §2.4 E).
const (
	ARBClkEn       = Field(0x6080 | 5<<o | 1<<w | 1<<d)
	ARBMCUClear    = Field(0x6080 | 2<<o | 1<<w | 1<<d)
	ARBHostProg    = Field(0x6080 | 1<<o | 1<<w)
	ARBParityError = Field(0x6080 | 0<<o | 1<<w | ro)
	ARBStatus      = Field(0x6081 | 0<<o | 8<<w | ro)
	ARBDebugCfg0   = Field(0x6089 | 0<<o | 8<<w)
	ARBDebugCfg1   = Field(0x608A | 0<<o | 8<<w)
	ARBDebugCfg2   = Field(0x608B | 0<<o | 8<<w)
	ARBDebugCfg3   = Field(0x608C | 0<<o | 8<<w)
	ARBDebugSts0   = Field(0x608D | 0<<o | 8<<w | ro)
)

// RX_TOP block, 0x5800: multi-SF IF chains 0-7, correlators, modems, RX
// buffer control (sx1302-bringup.md §2.4 F and H).
const (
	RxTopFreq0MSB        = Field(0x5800 | 0<<o | 5<<w) // chain n at +2n
	RxTopFreq0LSB        = Field(0x5801 | 0<<o | 8<<w | 128<<d)
	RxTopRadioSelect     = Field(0x5810 | 0<<o | 8<<w)
	RxTopRSSIFilterAlpha = Field(0x5811 | 3<<o | 5<<w | 7<<d)
	RxTopRSSIDefValue    = Field(0x5812 | 0<<o | 8<<w)
	RxTopDAGCThreshHigh  = Field(0x5813 | 0<<o | 8<<w)
	RxTopDAGCThreshLow   = Field(0x5814 | 0<<o | 8<<w)
	RxTopDAGCMode        = Field(0x5817 | 0<<o | 2<<w)
	RxTopCorrClockEn     = Field(0x5820 | 0<<o | 8<<w | 255<<d)
	RxTopCorrEn          = Field(0x5821 | 0<<o | 8<<w)
	RxTopCorrSFEn        = Field(0x5822 | 0<<o | 8<<w | 255<<d)
	RxTopSF5AccPNR       = Field(0x5826 | 0<<o | 7<<w | 55<<d) // SFn at +7(n-5)
	RxTopSF5MSPPNR       = Field(0x5828 | 0<<o | 7<<w | 32<<d)
	RxTopPreambleLSB     = Field(0x5883 | 0<<o | 8<<w | 8<<d)
	RxTopPreambleMSB     = Field(0x5884 | 0<<o | 8<<w)
	RxTopPeak1SF7to12    = Field(0x588E | 0<<o | 5<<w | 2<<d | signed)
	RxTopPeak2SF7to12    = Field(0x588F | 0<<o | 5<<w | 4<<d | signed)
	RxTopPeak1SF5        = Field(0x588A | 0<<o | 5<<w | 2<<d | signed)
	RxTopPeak2SF5        = Field(0x588B | 0<<o | 5<<w | 4<<d | signed)
	RxTopPeak1SF6        = Field(0x588C | 0<<o | 5<<w | 2<<d | signed)
	RxTopPeak2SF6        = Field(0x588D | 0<<o | 5<<w | 4<<d | signed)
	RxTopTimestampEnable = Field(0x58B3 | 3<<o | 1<<w)
	RxTopTimestampNbSymb = Field(0x58B3 | 0<<o | 3<<w | 7<<d)
	RxTopLegacyTimestamp = Field(0x58C0 | 2<<o | 1<<w)
	RxTopMaxTSMetrics    = Field(0x58C1 | 0<<o | 8<<w | 255<<d)
	RxTopNbBytesMSB      = Field(0x58C8 | 0<<o | 5<<w | ro)
	RxTopNbBytesLSB      = Field(0x58C9 | 0<<o | 8<<w | ro)
)

// RX_TOP_LORA_SERVICE_FSK block, 0x5B00: IF chain 8 (LoRa service) and 9
// (FSK) (sx1302-bringup.md §2.4 G).
const (
	SvcFreqMSB      = Field(0x5B00 | 0<<o | 5<<w)
	SvcFreqLSB      = Field(0x5B01 | 0<<o | 8<<w | 128<<d)
	SvcRadioSelect  = Field(0x5B02 | 0<<o | 1<<w)
	SvcModemSF      = Field(0x5B21 | 0<<o | 4<<w | 7<<d)
	SvcModemBW      = Field(0x5B21 | 4<<o | 4<<w | 4<<d)
	SvcModemEn      = Field(0x5B22 | 3<<o | 1<<w)
	SvcPPMOffset    = Field(0x5B22 | 4<<o | 2<<w)
	SvcModemStart   = Field(0x5B23 | 4<<o | 1<<w)
	SvcPeak1        = Field(0x5B2E | 0<<o | 5<<w | 2<<d | signed)
	SvcPeak2        = Field(0x5B2F | 0<<o | 5<<w | 4<<d | signed)
	FSKFreqMSB      = Field(0x5B50 | 0<<o | 5<<w)
	FSKFreqLSB      = Field(0x5B51 | 0<<o | 8<<w | 128<<d)
	FSKPktMode      = Field(0x5B52 | 0<<o | 1<<w)
	FSKCRCEn        = Field(0x5B52 | 1<<o | 1<<w)
	FSKRadioSelect  = Field(0x5B54 | 1<<o | 1<<w)
	FSKBitRateMSB   = Field(0x5B5B | 0<<o | 8<<w)
	FSKBitRateLSB   = Field(0x5B5C | 0<<o | 8<<w)
	FSKPktLength    = Field(0x5B58 | 0<<o | 8<<w)
	FSKRefPattern7  = Field(0x5B5D | 0<<o | 8<<w) // sync word, MSB first to 0x5B64
	FSKChBWExpo     = Field(0x5B53 | 0<<o | 3<<w)
	FSKPSize        = Field(0x5B53 | 3<<o | 3<<w)
	TimestampGPSEn  = Field(0x6100 | 0<<o | 1<<w)
	TimestampGPSPol = Field(0x6100 | 1<<o | 1<<w)
)

// TIMESTAMP and OTP blocks (sx1302-bringup.md §2.4 A and I).
const (
	// TimestampPPS is the first of 8 read-only bytes: PPS-latched counter
	// (big-endian), then the free-running counter (big-endian).
	TimestampPPS     = Field(0x6101 | 0<<o | 8<<w | ro)
	TimestampCounter = Field(0x6105 | 0<<o | 8<<w | ro)
	OTPByteAddr      = Field(0x6180 | 0<<o | 8<<w)
	OTPRdData        = Field(0x6181 | 0<<o | 8<<w | ro)
	OTPModemEn0      = Field(0x6188 | 0<<o | 8<<w | 255<<d)
	OTPModemEn1      = Field(0x6189 | 0<<o | 8<<w | 255<<d)
)

// TX_TOP block, per chain; addresses are chain A's (0x5200), chain B is at
// +0x200 (sx1302-bringup.md §2.4 J). Use TxField to select the chain.
const (
	TxTrigFSMClr        = Field(0x5200 | 3<<o | 1<<w | pulse)
	TxTrigGPS           = Field(0x5200 | 2<<o | 1<<w)
	TxTrigDelayed       = Field(0x5200 | 1<<o | 1<<w)
	TxTrigImmediate     = Field(0x5200 | 0<<o | 1<<w)
	TxTimerTrig3        = Field(0x5201 | 0<<o | 8<<w) // 4 bytes, MSB first
	TxStartDelayMSB     = Field(0x5205 | 0<<o | 8<<w | 187<<d)
	TxStartDelayLSB     = Field(0x5206 | 0<<o | 8<<w | 128<<d)
	TxWriteBuffer       = Field(0x5207 | 0<<o | 1<<w)
	TxModulationType    = Field(0x5209 | 0<<o | 1<<w)
	TxFlagTimeout       = Field(0x520B | 1<<o | 1<<w | pulse)
	TxFlagPktDone       = Field(0x520B | 0<<o | 1<<w | pulse)
	TxAGCBW             = Field(0x520C | 0<<o | 8<<w)
	TxAGCPwr            = Field(0x520D | 0<<o | 8<<w)
	TxFSMStatus         = Field(0x5211 | 0<<o | 8<<w | ro)
	TxIFSrc             = Field(0x5220 | 0<<o | 2<<w)
	TxIFDst             = Field(0x5220 | 2<<o | 1<<w)
	TxMode              = Field(0x5220 | 3<<o | 1<<w | 1<<d)
	TxClkEdge           = Field(0x5220 | 4<<o | 1<<w | 1<<d)
	TxPLLDivCtrlAGC     = Field(0x5221 | 0<<o | 1<<w)
	TxIQGain            = Field(0x5222 | 0<<o | 2<<w)
	TxIOffset           = Field(0x5223 | 0<<o | 8<<w)
	TxQOffset           = Field(0x5224 | 0<<o | 8<<w)
	TxFreqRFH           = Field(0x5225 | 0<<o | 8<<w | 108<<d) // 3 bytes, MSB first
	TxFreqDevH          = Field(0x5228 | 0<<o | 4<<w)
	TxFreqDevL          = Field(0x5229 | 0<<o | 8<<w)
	TxFSKPktLen         = Field(0x5240 | 0<<o | 8<<w | 15<<d) // loragw_reg.c TX_TOP_A+64..69
	TxFSKPktMode        = Field(0x5241 | 0<<o | 1<<w)
	TxFSKCRCEn          = Field(0x5241 | 1<<o | 1<<w | 1<<d)
	TxFSKDCFree         = Field(0x5241 | 2<<o | 2<<w)
	TxFSKCRCIBM         = Field(0x5241 | 4<<o | 1<<w)
	TxFSKPreambleMSB    = Field(0x5242 | 0<<o | 8<<w)
	TxFSKPreambleLSB    = Field(0x5243 | 0<<o | 8<<w | 20<<d)
	TxFSKBitRateMSB     = Field(0x5244 | 0<<o | 8<<w | 26<<d)
	TxFSKBitRateLSB     = Field(0x5245 | 0<<o | 8<<w | 11<<d)
	TxModemSF           = Field(0x5260 | 0<<o | 4<<w | 7<<d)
	TxModemBW           = Field(0x5260 | 4<<o | 4<<w | 5<<d)
	TxCodingRate        = Field(0x5261 | 0<<o | 3<<w | 2<<d)
	TxPPMOffset         = Field(0x5261 | 4<<o | 2<<w)
	TxPPMOffsetHdrCtrl  = Field(0x5261 | 6<<o | 2<<w | 2<<d)
	TxFSKRefPatternSize = Field(0x5246 | 5<<o | 3<<w | 3<<d)
	TxFSKPreambleSeq    = Field(0x5246 | 4<<o | 1<<w)
	TxFSKRefPatternEn   = Field(0x5246 | 3<<o | 1<<w | 1<<d)
	TxFSKGaussianBT     = Field(0x5246 | 1<<o | 2<<w)
	TxFSKGaussianEn     = Field(0x5246 | 0<<o | 1<<w)
	TxFSKRefPattern0    = Field(0x524E | 0<<o | 8<<w) // byte 0 of 8; byte i at 0x524E - i
	TxModemEn           = Field(0x5262 | 6<<o | 1<<w)
	TxCadRxTx           = Field(0x5262 | 4<<o | 2<<w | 2<<d)
	TxImplicitHeader    = Field(0x5262 | 1<<o | 1<<w)
	TxCRCEn             = Field(0x5262 | 0<<o | 1<<w | 1<<d)
	TxFineSynchEn       = Field(0x5262 | 7<<o | 1<<w)
	TxPayloadLength     = Field(0x5263 | 0<<o | 8<<w | 12<<d)
	TxModemStart        = Field(0x5265 | 7<<o | 1<<w)
	TxPreambleLSB       = Field(0x5266 | 0<<o | 8<<w | 8<<d)
	TxPreambleMSB       = Field(0x5267 | 0<<o | 8<<w)
	TxChirpLowpass      = Field(0x5269 | 4<<o | 3<<w)
	TxChirpInvert       = Field(0x5269 | 1<<o | 1<<w | 1<<d)
	TxContinuous        = Field(0x5269 | 0<<o | 1<<w)
	TxPeak1             = Field(0x526D | 0<<o | 5<<w | 2<<d | signed)
	TxPeak2             = Field(0x526E | 0<<o | 5<<w | 4<<d | signed)
)

// TxField returns field f (given for chain A) for RF chain chain.
func TxField(f Field, chain uint8) Field {
	if chain == 1 {
		return f + 0x200
	}
	return f
}

// At returns f moved by delta bytes (per-chain or per-SF register copies).
func (f Field) At(delta int) Field { return Field(int64(f) + int64(delta)) }

// Fields lists every field the driver knows, for the emulator's register
// file (defaults and read-only bits).
func Fields() []Field {
	fs := []Field{
		CommonPage, CommonClk32RifCtrl, CommonHostRadioCtrl, CommonSX1261ModeB, CommonSX1261ModeA,
		CommonGlobalEn, CommonFSKModemEn, CommonConcModemEn, CommonMBWSSFModemEn, CommonVersion,
		GPIODirL, GPIOOutL, ClkCtrlRadioASel, ClkCtrlRadioBSel, ClkCtrlClkDivEn,
		AGCClkEn, AGCForceHostFE, AGCMCUClear, AGCHostProg, AGCParityError, AGCStatus,
		AGCRFEnARadioRst, AGCRFEnARadioEn, AGCRFEnAPAEn, AGCRFEnALNAEn, AGCRFEnBRadioRst, AGCRFEnBRadioEn,
		ARBClkEn, ARBMCUClear, ARBHostProg, ARBParityError, ARBStatus, ARBDebugSts0,
		RxTopRSSIFilterAlpha, RxTopCorrClockEn, RxTopCorrSFEn, RxTopPreambleLSB,
		RxTopPeak1SF7to12, RxTopPeak2SF7to12, RxTopPeak1SF5, RxTopPeak2SF5, RxTopPeak1SF6, RxTopPeak2SF6,
		RxTopTimestampNbSymb, RxTopMaxTSMetrics, RxTopNbBytesMSB, RxTopNbBytesLSB,
		SvcFreqLSB, SvcModemSF, SvcModemBW, SvcPeak1, SvcPeak2, FSKFreqLSB,
		OTPRdData, OTPModemEn0, OTPModemEn1,
	}
	for i := 0; i < 8; i++ {
		fs = append(fs, RxTopFreq0LSB.At(2*i), RxTopSF5AccPNR.At(7*i), RxTopSF5MSPPNR.At(7*i))
	}
	for i := 0; i < 4; i++ {
		fs = append(fs, AGCMailboxRdByte3.At(i))
	}
	for i := 0; i < 16; i++ {
		fs = append(fs, ARBDebugSts0.At(i)|ro)
	}
	for i := 0; i < 8; i++ {
		fs = append(fs, TimestampPPS.At(i))
	}
	for _, f := range []Field{TxTrigFSMClr, TxStartDelayMSB, TxStartDelayLSB, TxFlagTimeout, TxFlagPktDone,
		TxFSMStatus, TxMode, TxClkEdge, TxFreqRFH, TxModemSF, TxModemBW, TxCodingRate, TxCadRxTx, TxCRCEn,
		TxPayloadLength, TxPreambleLSB, TxChirpInvert, TxPeak1, TxPeak2, TxFSKPktLen, TxFSKCRCEn,
		TxFSKPreambleLSB, TxFSKBitRateMSB, TxFSKBitRateLSB} {
		fs = append(fs, f, TxField(f, 1))
	}
	return fs
}
