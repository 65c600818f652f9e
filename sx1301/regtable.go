// The SX1301 register map: page, address, bit offset, sign, width,
// read-only flag and reset default of every register, as facts of the
// register list of lora_gateway v5.0.1 (loragw_reg.c, 325 registers and
// the TX_TRIG_ALL alias, in its order), transcribed once by a script.
// The golden tests check the page and address of every register the
// reference writes at start, and the reset defaults through the bytes its
// read-modify-writes read back.

package sx1301

// Register IDs, in the order of the chip's register list.
const (
	PageReg Reg = iota
	SoftReset
	Version
	RxDataBufAddr
	RxDataBufData
	TxDataBufAddr
	TxDataBufData
	CaptureRamAddr
	CaptureRamData
	McuPromAddr
	McuPromData
	RxPacketDataFifoNumStored
	RxPacketDataFifoAddrPointer
	RxPacketDataFifoStatus
	RxPacketDataFifoPayloadSize
	MbwssfModemEnable
	ConcentratorModemEnable
	FskModemEnable
	GlobalEn
	Clk32mEn
	ClkhsEn
	StartBist0
	StartBist1
	ClearBist0
	ClearBist1
	Bist0Finished
	Bist1Finished
	McuAgcProgRamBistStatus
	McuArbProgRamBistStatus
	CaptureRamBistStatus
	ChanFirRam0BistStatus
	ChanFirRam1BistStatus
	Corr0RamBistStatus
	Corr1RamBistStatus
	Corr2RamBistStatus
	Corr3RamBistStatus
	Corr4RamBistStatus
	Corr5RamBistStatus
	Corr6RamBistStatus
	Corr7RamBistStatus
	Modem0Ram0BistStatus
	Modem1Ram0BistStatus
	Modem2Ram0BistStatus
	Modem3Ram0BistStatus
	Modem4Ram0BistStatus
	Modem5Ram0BistStatus
	Modem6Ram0BistStatus
	Modem7Ram0BistStatus
	Modem0Ram1BistStatus
	Modem1Ram1BistStatus
	Modem2Ram1BistStatus
	Modem3Ram1BistStatus
	Modem4Ram1BistStatus
	Modem5Ram1BistStatus
	Modem6Ram1BistStatus
	Modem7Ram1BistStatus
	Modem0Ram2BistStatus
	Modem1Ram2BistStatus
	Modem2Ram2BistStatus
	Modem3Ram2BistStatus
	Modem4Ram2BistStatus
	Modem5Ram2BistStatus
	Modem6Ram2BistStatus
	Modem7Ram2BistStatus
	ModemMbwssfRam0BistStatus
	ModemMbwssfRam1BistStatus
	ModemMbwssfRam2BistStatus
	McuAgcDataRamBist0Status
	McuAgcDataRamBist1Status
	McuArbDataRamBist0Status
	McuArbDataRamBist1Status
	TxTopRamBist0Status
	TxTopRamBist1Status
	DataMngtRamBist0Status
	DataMngtRamBist1Status
	GpioSelectInput
	GpioSelectOutput
	GpioMode
	GpioPinRegIn
	GpioPinRegOut
	McuAgcStatus
	McuArbStatus
	ChipId
	EmergencyForceHostCtrl
	RxInvertIq
	ModemInvertIq
	MbwssfModemInvertIq
	RxEdgeSelect
	MiscRadioEn
	FskModemInvertIq
	FilterGain
	RadioSelect
	IfFreq0
	IfFreq1
	IfFreq2
	IfFreq3
	IfFreq4
	IfFreq5
	IfFreq6
	IfFreq7
	IfFreq8
	IfFreq9
	ChannOverrideAgcGain
	ChannAgcGain
	Corr0DetectEn
	Corr1DetectEn
	Corr2DetectEn
	Corr3DetectEn
	Corr4DetectEn
	Corr5DetectEn
	Corr6DetectEn
	Corr7DetectEn
	CorrSamePeaksOptionSf6
	CorrSamePeaksOptionSf7
	CorrSamePeaksOptionSf8
	CorrSamePeaksOptionSf9
	CorrSamePeaksOptionSf10
	CorrSamePeaksOptionSf11
	CorrSamePeaksOptionSf12
	CorrSigNoiseRatioSf6
	CorrSigNoiseRatioSf7
	CorrSigNoiseRatioSf8
	CorrSigNoiseRatioSf9
	CorrSigNoiseRatioSf10
	CorrSigNoiseRatioSf11
	CorrSigNoiseRatioSf12
	CorrNumSamePeak
	CorrMacGain
	AdjustModemStartOffsetRdx4
	AdjustModemStartOffsetSf12Rdx4
	DbgCorrSelectSf
	DbgCorrSelectChannel
	DbgDetectCpt
	DbgSymbCpt
	ChirpInvertRx
	DcNotchEn
	ImplicitCrcEn
	ImplicitCodingRate
	ImplicitPayloadLenght
	FreqToTimeInvert
	FreqToTimeDrift
	PayloadFineTimingGain
	PreambleFineTimingGain
	TrackingIntegral
	FrameSynchPeak1Pos
	FrameSynchPeak2Pos
	PreambleSymb1Nb
	FrameSynchGain
	SynchDetectTh
	LlrScale
	SnrAvgCst
	PpmOffset
	MaxPayloadLen
	OnlyCrcEn
	ZeroPad
	DecGainOffset
	ChanGainOffset
	ForceHostRadioCtrl
	ForceHostFeCtrl
	ForceDecFilterGain
	McuRst0
	McuRst1
	McuSelectMux0
	McuSelectMux1
	McuCorruptionDetected0
	McuCorruptionDetected1
	McuSelectEdge0
	McuSelectEdge1
	ChannSelectRssi
	RssiBbDefaultValue
	RssiDecDefaultValue
	RssiChannDefaultValue
	RssiBbFilterAlpha
	RssiDecFilterAlpha
	RssiChannFilterAlpha
	IqMismatchAAmpCoeff
	IqMismatchAPhiCoeff
	IqMismatchBAmpCoeff
	IqMismatchBSelI
	IqMismatchBPhiCoeff
	TxTrigImmediate
	TxTrigDelayed
	TxTrigGps
	TxStartDelay
	TxFrameSynchPeak1Pos
	TxFrameSynchPeak2Pos
	TxRampDuration
	TxOffsetI
	TxOffsetQ
	TxMode
	TxZeroPad
	TxEdgeSelect
	TxEdgeSelectTop
	TxDigGain
	TxChirpLowPass
	TxFccWideband
	TxSwapIq
	MbwssfImplicitHeader
	MbwssfImplicitCrcEn
	MbwssfImplicitCodingRate
	MbwssfImplicitPayloadLenght
	MbwssfAgcFreezeOnDetect
	MbwssfFrameSynchPeak1Pos
	MbwssfFrameSynchPeak2Pos
	MbwssfPreambleSymb1Nb
	MbwssfFrameSynchGain
	MbwssfSynchDetectTh
	MbwssfDetectMinSinglePeak
	MbwssfDetectTrigSamePeakNb
	MbwssfFreqToTimeInvert
	MbwssfFreqToTimeDrift
	MbwssfPpmCorrection
	MbwssfPayloadFineTimingGain
	MbwssfPreambleFineTimingGain
	MbwssfTrackingIntegral
	MbwssfZeroPad
	MbwssfModemBw
	MbwssfRadioSelect
	MbwssfRxChirpInvert
	MbwssfLlrScale
	MbwssfSnrAvgCst
	MbwssfPpmOffset
	MbwssfRateSf
	MbwssfOnlyCrcEn
	MbwssfMaxPayloadLen
	TxStatus
	FskChBwExpo
	FskRssiLength
	FskRxInvert
	FskPktMode
	FskPsize
	FskCrcEn
	FskDcfreeEnc
	FskCrcIbm
	FskErrorOsrTol
	FskRadioSelect
	FskBrRatio
	FskRefPatternLsb
	FskRefPatternMsb
	FskPktLength
	FskTxGaussianEn
	FskTxGaussianSelectBt
	FskTxPatternEn
	FskTxPreambleSeq
	FskTxPsize
	FskNodeAdrs
	FskBroadcast
	FskAutoAfcOn
	FskPatternTimeoutCfg
	SpiRadioAData
	SpiRadioADataReadback
	SpiRadioAAddr
	SpiRadioACs
	SpiRadioBData
	SpiRadioBDataReadback
	SpiRadioBAddr
	SpiRadioBCs
	RadioAEn
	RadioBEn
	RadioRst
	LnaAEn
	PaAEn
	LnaBEn
	PaBEn
	PaGain
	LnaACtrlLut
	PaACtrlLut
	LnaBCtrlLut
	PaBCtrlLut
	CaptureSource
	CaptureStart
	CaptureForceTrigger
	CaptureWrap
	CapturePeriod
	ModemStatus
	ValidHeaderCounter0
	ValidPacketCounter0
	ValidHeaderCounterMbwssf
	ValidHeaderCounterFsk
	ValidPacketCounterMbwssf
	ValidPacketCounterFsk
	ChannRssi
	BbRssi
	DecRssi
	DbgMcuData
	DbgArbMcuRamData
	DbgAgcMcuRamData
	NextPacketCnt
	AddrCaptureCount
	Timestamp
	DbgChann0Gain
	DbgChann1Gain
	DbgChann2Gain
	DbgChann3Gain
	DbgChann4Gain
	DbgChann5Gain
	DbgChann6Gain
	DbgChann7Gain
	DbgDecFiltGain
	SpiDataFifoPtr
	PacketDataFifoPtr
	DbgArbMcuRamAddr
	DbgAgcMcuRamAddr
	SpiMasterChipSelectPolarity
	SpiMasterCpol
	SpiMasterCpha
	SigGenAnalyserMuxSel
	SigGenEn
	SigAnalyserEn
	SigAnalyserAvgLen
	SigAnalyserPrecision
	SigAnalyserValidOut
	SigGenFreq
	SigAnalyserFreq
	SigAnalyserIOut
	SigAnalyserQOut
	GpsEn
	GpsPol
	SwTestReg1
	SwTestReg2
	SwTestReg3
	DataMngtStatus
	DataMngtCptFrameAllocated
	DataMngtCptFrameFinished
	DataMngtCptFrameReaden
	TxTrigAll
)

// regs describes every register, indexed by Reg.
var regs = [...]regDesc{
	{"PAGE_REG", -1, 0, 0, false, 2, false, 0},
	{"SOFT_RESET", -1, 0, 7, false, 1, false, 0},
	{"VERSION", -1, 1, 0, false, 8, true, 103},
	{"RX_DATA_BUF_ADDR", -1, 2, 0, false, 16, false, 0},
	{"RX_DATA_BUF_DATA", -1, 4, 0, false, 8, false, 0},
	{"TX_DATA_BUF_ADDR", -1, 5, 0, false, 8, false, 0},
	{"TX_DATA_BUF_DATA", -1, 6, 0, false, 8, false, 0},
	{"CAPTURE_RAM_ADDR", -1, 7, 0, false, 8, false, 0},
	{"CAPTURE_RAM_DATA", -1, 8, 0, false, 8, true, 0},
	{"MCU_PROM_ADDR", -1, 9, 0, false, 8, false, 0},
	{"MCU_PROM_DATA", -1, 10, 0, false, 8, false, 0},
	{"RX_PACKET_DATA_FIFO_NUM_STORED", -1, 11, 0, false, 8, false, 0},
	{"RX_PACKET_DATA_FIFO_ADDR_POINTER", -1, 12, 0, false, 16, true, 0},
	{"RX_PACKET_DATA_FIFO_STATUS", -1, 14, 0, false, 8, true, 0},
	{"RX_PACKET_DATA_FIFO_PAYLOAD_SIZE", -1, 15, 0, false, 8, true, 0},
	{"MBWSSF_MODEM_ENABLE", -1, 16, 0, false, 1, false, 0},
	{"CONCENTRATOR_MODEM_ENABLE", -1, 16, 1, false, 1, false, 0},
	{"FSK_MODEM_ENABLE", -1, 16, 2, false, 1, false, 0},
	{"GLOBAL_EN", -1, 16, 3, false, 1, false, 0},
	{"CLK32M_EN", -1, 17, 0, false, 1, false, 1},
	{"CLKHS_EN", -1, 17, 1, false, 1, false, 1},
	{"START_BIST0", -1, 18, 0, false, 1, false, 0},
	{"START_BIST1", -1, 18, 1, false, 1, false, 0},
	{"CLEAR_BIST0", -1, 18, 2, false, 1, false, 0},
	{"CLEAR_BIST1", -1, 18, 3, false, 1, false, 0},
	{"BIST0_FINISHED", -1, 19, 0, false, 1, true, 0},
	{"BIST1_FINISHED", -1, 19, 1, false, 1, true, 0},
	{"MCU_AGC_PROG_RAM_BIST_STATUS", -1, 20, 0, false, 1, true, 0},
	{"MCU_ARB_PROG_RAM_BIST_STATUS", -1, 20, 1, false, 1, true, 0},
	{"CAPTURE_RAM_BIST_STATUS", -1, 20, 2, false, 1, true, 0},
	{"CHAN_FIR_RAM0_BIST_STATUS", -1, 20, 3, false, 1, true, 0},
	{"CHAN_FIR_RAM1_BIST_STATUS", -1, 20, 4, false, 1, true, 0},
	{"CORR0_RAM_BIST_STATUS", -1, 21, 0, false, 1, true, 0},
	{"CORR1_RAM_BIST_STATUS", -1, 21, 1, false, 1, true, 0},
	{"CORR2_RAM_BIST_STATUS", -1, 21, 2, false, 1, true, 0},
	{"CORR3_RAM_BIST_STATUS", -1, 21, 3, false, 1, true, 0},
	{"CORR4_RAM_BIST_STATUS", -1, 21, 4, false, 1, true, 0},
	{"CORR5_RAM_BIST_STATUS", -1, 21, 5, false, 1, true, 0},
	{"CORR6_RAM_BIST_STATUS", -1, 21, 6, false, 1, true, 0},
	{"CORR7_RAM_BIST_STATUS", -1, 21, 7, false, 1, true, 0},
	{"MODEM0_RAM0_BIST_STATUS", -1, 22, 0, false, 1, true, 0},
	{"MODEM1_RAM0_BIST_STATUS", -1, 22, 1, false, 1, true, 0},
	{"MODEM2_RAM0_BIST_STATUS", -1, 22, 2, false, 1, true, 0},
	{"MODEM3_RAM0_BIST_STATUS", -1, 22, 3, false, 1, true, 0},
	{"MODEM4_RAM0_BIST_STATUS", -1, 22, 4, false, 1, true, 0},
	{"MODEM5_RAM0_BIST_STATUS", -1, 22, 5, false, 1, true, 0},
	{"MODEM6_RAM0_BIST_STATUS", -1, 22, 6, false, 1, true, 0},
	{"MODEM7_RAM0_BIST_STATUS", -1, 22, 7, false, 1, true, 0},
	{"MODEM0_RAM1_BIST_STATUS", -1, 23, 0, false, 1, true, 0},
	{"MODEM1_RAM1_BIST_STATUS", -1, 23, 1, false, 1, true, 0},
	{"MODEM2_RAM1_BIST_STATUS", -1, 23, 2, false, 1, true, 0},
	{"MODEM3_RAM1_BIST_STATUS", -1, 23, 3, false, 1, true, 0},
	{"MODEM4_RAM1_BIST_STATUS", -1, 23, 4, false, 1, true, 0},
	{"MODEM5_RAM1_BIST_STATUS", -1, 23, 5, false, 1, true, 0},
	{"MODEM6_RAM1_BIST_STATUS", -1, 23, 6, false, 1, true, 0},
	{"MODEM7_RAM1_BIST_STATUS", -1, 23, 7, false, 1, true, 0},
	{"MODEM0_RAM2_BIST_STATUS", -1, 24, 0, false, 1, true, 0},
	{"MODEM1_RAM2_BIST_STATUS", -1, 24, 1, false, 1, true, 0},
	{"MODEM2_RAM2_BIST_STATUS", -1, 24, 2, false, 1, true, 0},
	{"MODEM3_RAM2_BIST_STATUS", -1, 24, 3, false, 1, true, 0},
	{"MODEM4_RAM2_BIST_STATUS", -1, 24, 4, false, 1, true, 0},
	{"MODEM5_RAM2_BIST_STATUS", -1, 24, 5, false, 1, true, 0},
	{"MODEM6_RAM2_BIST_STATUS", -1, 24, 6, false, 1, true, 0},
	{"MODEM7_RAM2_BIST_STATUS", -1, 24, 7, false, 1, true, 0},
	{"MODEM_MBWSSF_RAM0_BIST_STATUS", -1, 25, 0, false, 1, true, 0},
	{"MODEM_MBWSSF_RAM1_BIST_STATUS", -1, 25, 1, false, 1, true, 0},
	{"MODEM_MBWSSF_RAM2_BIST_STATUS", -1, 25, 2, false, 1, true, 0},
	{"MCU_AGC_DATA_RAM_BIST0_STATUS", -1, 26, 0, false, 1, true, 0},
	{"MCU_AGC_DATA_RAM_BIST1_STATUS", -1, 26, 1, false, 1, true, 0},
	{"MCU_ARB_DATA_RAM_BIST0_STATUS", -1, 26, 2, false, 1, true, 0},
	{"MCU_ARB_DATA_RAM_BIST1_STATUS", -1, 26, 3, false, 1, true, 0},
	{"TX_TOP_RAM_BIST0_STATUS", -1, 26, 4, false, 1, true, 0},
	{"TX_TOP_RAM_BIST1_STATUS", -1, 26, 5, false, 1, true, 0},
	{"DATA_MNGT_RAM_BIST0_STATUS", -1, 26, 6, false, 1, true, 0},
	{"DATA_MNGT_RAM_BIST1_STATUS", -1, 26, 7, false, 1, true, 0},
	{"GPIO_SELECT_INPUT", -1, 27, 0, false, 4, false, 0},
	{"GPIO_SELECT_OUTPUT", -1, 28, 0, false, 4, false, 0},
	{"GPIO_MODE", -1, 29, 0, false, 5, false, 0},
	{"GPIO_PIN_REG_IN", -1, 30, 0, false, 5, true, 0},
	{"GPIO_PIN_REG_OUT", -1, 31, 0, false, 5, false, 0},
	{"MCU_AGC_STATUS", -1, 32, 0, false, 8, true, 0},
	{"MCU_ARB_STATUS", -1, 125, 0, false, 8, true, 0},
	{"CHIP_ID", -1, 126, 0, false, 8, true, 1},
	{"EMERGENCY_FORCE_HOST_CTRL", -1, 127, 0, false, 1, false, 1},
	{"RX_INVERT_IQ", 0, 33, 0, false, 1, false, 0},
	{"MODEM_INVERT_IQ", 0, 33, 1, false, 1, false, 1},
	{"MBWSSF_MODEM_INVERT_IQ", 0, 33, 2, false, 1, false, 0},
	{"RX_EDGE_SELECT", 0, 33, 3, false, 1, false, 0},
	{"MISC_RADIO_EN", 0, 33, 4, false, 1, false, 0},
	{"FSK_MODEM_INVERT_IQ", 0, 33, 5, false, 1, false, 0},
	{"FILTER_GAIN", 0, 34, 0, false, 4, false, 7},
	{"RADIO_SELECT", 0, 35, 0, false, 8, false, 240},
	{"IF_FREQ_0", 0, 36, 0, true, 13, false, -384},
	{"IF_FREQ_1", 0, 38, 0, true, 13, false, -128},
	{"IF_FREQ_2", 0, 40, 0, true, 13, false, 128},
	{"IF_FREQ_3", 0, 42, 0, true, 13, false, 384},
	{"IF_FREQ_4", 0, 44, 0, true, 13, false, -384},
	{"IF_FREQ_5", 0, 46, 0, true, 13, false, -128},
	{"IF_FREQ_6", 0, 48, 0, true, 13, false, 128},
	{"IF_FREQ_7", 0, 50, 0, true, 13, false, 384},
	{"IF_FREQ_8", 0, 52, 0, true, 13, false, 0},
	{"IF_FREQ_9", 0, 54, 0, true, 13, false, 0},
	{"CHANN_OVERRIDE_AGC_GAIN", 0, 64, 0, false, 1, false, 0},
	{"CHANN_AGC_GAIN", 0, 64, 1, false, 4, false, 7},
	{"CORR0_DETECT_EN", 0, 65, 0, false, 7, false, 0},
	{"CORR1_DETECT_EN", 0, 66, 0, false, 7, false, 0},
	{"CORR2_DETECT_EN", 0, 67, 0, false, 7, false, 0},
	{"CORR3_DETECT_EN", 0, 68, 0, false, 7, false, 0},
	{"CORR4_DETECT_EN", 0, 69, 0, false, 7, false, 0},
	{"CORR5_DETECT_EN", 0, 70, 0, false, 7, false, 0},
	{"CORR6_DETECT_EN", 0, 71, 0, false, 7, false, 0},
	{"CORR7_DETECT_EN", 0, 72, 0, false, 7, false, 0},
	{"CORR_SAME_PEAKS_OPTION_SF6", 0, 73, 0, false, 1, false, 0},
	{"CORR_SAME_PEAKS_OPTION_SF7", 0, 73, 1, false, 1, false, 1},
	{"CORR_SAME_PEAKS_OPTION_SF8", 0, 73, 2, false, 1, false, 1},
	{"CORR_SAME_PEAKS_OPTION_SF9", 0, 73, 3, false, 1, false, 1},
	{"CORR_SAME_PEAKS_OPTION_SF10", 0, 73, 4, false, 1, false, 1},
	{"CORR_SAME_PEAKS_OPTION_SF11", 0, 73, 5, false, 1, false, 1},
	{"CORR_SAME_PEAKS_OPTION_SF12", 0, 73, 6, false, 1, false, 1},
	{"CORR_SIG_NOISE_RATIO_SF6", 0, 74, 0, false, 4, false, 4},
	{"CORR_SIG_NOISE_RATIO_SF7", 0, 74, 4, false, 4, false, 4},
	{"CORR_SIG_NOISE_RATIO_SF8", 0, 75, 0, false, 4, false, 4},
	{"CORR_SIG_NOISE_RATIO_SF9", 0, 75, 4, false, 4, false, 4},
	{"CORR_SIG_NOISE_RATIO_SF10", 0, 76, 0, false, 4, false, 4},
	{"CORR_SIG_NOISE_RATIO_SF11", 0, 76, 4, false, 4, false, 4},
	{"CORR_SIG_NOISE_RATIO_SF12", 0, 77, 0, false, 4, false, 4},
	{"CORR_NUM_SAME_PEAK", 0, 78, 0, false, 4, false, 4},
	{"CORR_MAC_GAIN", 0, 78, 4, false, 3, false, 5},
	{"ADJUST_MODEM_START_OFFSET_RDX4", 0, 81, 0, false, 12, false, 0},
	{"ADJUST_MODEM_START_OFFSET_SF12_RDX4", 0, 83, 0, false, 12, false, 4092},
	{"DBG_CORR_SELECT_SF", 0, 85, 0, false, 8, false, 7},
	{"DBG_CORR_SELECT_CHANNEL", 0, 86, 0, false, 8, false, 0},
	{"DBG_DETECT_CPT", 0, 87, 0, false, 8, true, 0},
	{"DBG_SYMB_CPT", 0, 88, 0, false, 8, true, 0},
	{"CHIRP_INVERT_RX", 0, 89, 0, false, 1, false, 1},
	{"DC_NOTCH_EN", 0, 89, 1, false, 1, false, 1},
	{"IMPLICIT_CRC_EN", 0, 90, 0, false, 1, false, 0},
	{"IMPLICIT_CODING_RATE", 0, 90, 1, false, 3, false, 0},
	{"IMPLICIT_PAYLOAD_LENGHT", 0, 91, 0, false, 8, false, 0},
	{"FREQ_TO_TIME_INVERT", 0, 92, 0, false, 8, false, 29},
	{"FREQ_TO_TIME_DRIFT", 0, 93, 0, false, 6, false, 9},
	{"PAYLOAD_FINE_TIMING_GAIN", 0, 94, 0, false, 2, false, 2},
	{"PREAMBLE_FINE_TIMING_GAIN", 0, 94, 2, false, 2, false, 1},
	{"TRACKING_INTEGRAL", 0, 94, 4, false, 2, false, 0},
	{"FRAME_SYNCH_PEAK1_POS", 0, 95, 0, false, 4, false, 1},
	{"FRAME_SYNCH_PEAK2_POS", 0, 95, 4, false, 4, false, 2},
	{"PREAMBLE_SYMB1_NB", 0, 96, 0, false, 16, false, 10},
	{"FRAME_SYNCH_GAIN", 0, 98, 0, false, 1, false, 1},
	{"SYNCH_DETECT_TH", 0, 98, 1, false, 1, false, 1},
	{"LLR_SCALE", 0, 99, 0, false, 4, false, 8},
	{"SNR_AVG_CST", 0, 99, 4, false, 2, false, 2},
	{"PPM_OFFSET", 0, 100, 0, false, 7, false, 0},
	{"MAX_PAYLOAD_LEN", 0, 101, 0, false, 8, false, 255},
	{"ONLY_CRC_EN", 0, 102, 0, false, 1, false, 1},
	{"ZERO_PAD", 0, 103, 0, false, 8, false, 0},
	{"DEC_GAIN_OFFSET", 0, 104, 0, false, 4, false, 8},
	{"CHAN_GAIN_OFFSET", 0, 104, 4, false, 4, false, 7},
	{"FORCE_HOST_RADIO_CTRL", 0, 105, 1, false, 1, false, 1},
	{"FORCE_HOST_FE_CTRL", 0, 105, 2, false, 1, false, 1},
	{"FORCE_DEC_FILTER_GAIN", 0, 105, 3, false, 1, false, 1},
	{"MCU_RST_0", 0, 106, 0, false, 1, false, 1},
	{"MCU_RST_1", 0, 106, 1, false, 1, false, 1},
	{"MCU_SELECT_MUX_0", 0, 106, 2, false, 1, false, 0},
	{"MCU_SELECT_MUX_1", 0, 106, 3, false, 1, false, 0},
	{"MCU_CORRUPTION_DETECTED_0", 0, 106, 4, false, 1, true, 0},
	{"MCU_CORRUPTION_DETECTED_1", 0, 106, 5, false, 1, true, 0},
	{"MCU_SELECT_EDGE_0", 0, 106, 6, false, 1, false, 0},
	{"MCU_SELECT_EDGE_1", 0, 106, 7, false, 1, false, 0},
	{"CHANN_SELECT_RSSI", 0, 107, 0, false, 8, false, 1},
	{"RSSI_BB_DEFAULT_VALUE", 0, 108, 0, false, 8, false, 32},
	{"RSSI_DEC_DEFAULT_VALUE", 0, 109, 0, false, 8, false, 100},
	{"RSSI_CHANN_DEFAULT_VALUE", 0, 110, 0, false, 8, false, 100},
	{"RSSI_BB_FILTER_ALPHA", 0, 111, 0, false, 5, false, 7},
	{"RSSI_DEC_FILTER_ALPHA", 0, 112, 0, false, 5, false, 5},
	{"RSSI_CHANN_FILTER_ALPHA", 0, 113, 0, false, 5, false, 8},
	{"IQ_MISMATCH_A_AMP_COEFF", 0, 114, 0, false, 6, false, 0},
	{"IQ_MISMATCH_A_PHI_COEFF", 0, 115, 0, false, 6, false, 0},
	{"IQ_MISMATCH_B_AMP_COEFF", 0, 116, 0, false, 6, false, 0},
	{"IQ_MISMATCH_B_SEL_I", 0, 116, 6, false, 1, false, 0},
	{"IQ_MISMATCH_B_PHI_COEFF", 0, 117, 0, false, 6, false, 0},
	{"TX_TRIG_IMMEDIATE", 1, 33, 0, false, 1, false, 0},
	{"TX_TRIG_DELAYED", 1, 33, 1, false, 1, false, 0},
	{"TX_TRIG_GPS", 1, 33, 2, false, 1, false, 0},
	{"TX_START_DELAY", 1, 34, 0, false, 16, false, 0},
	{"TX_FRAME_SYNCH_PEAK1_POS", 1, 36, 0, false, 4, false, 1},
	{"TX_FRAME_SYNCH_PEAK2_POS", 1, 36, 4, false, 4, false, 2},
	{"TX_RAMP_DURATION", 1, 37, 0, false, 3, false, 0},
	{"TX_OFFSET_I", 1, 39, 0, true, 8, false, 0},
	{"TX_OFFSET_Q", 1, 40, 0, true, 8, false, 0},
	{"TX_MODE", 1, 41, 0, false, 1, false, 0},
	{"TX_ZERO_PAD", 1, 41, 1, false, 4, false, 0},
	{"TX_EDGE_SELECT", 1, 41, 5, false, 1, false, 0},
	{"TX_EDGE_SELECT_TOP", 1, 41, 6, false, 1, false, 0},
	{"TX_GAIN", 1, 42, 0, false, 2, false, 0},
	{"TX_CHIRP_LOW_PASS", 1, 42, 2, false, 3, false, 5},
	{"TX_FCC_WIDEBAND", 1, 42, 5, false, 2, false, 0},
	{"TX_SWAP_IQ", 1, 42, 7, false, 1, false, 1},
	{"MBWSSF_IMPLICIT_HEADER", 1, 43, 0, false, 1, false, 0},
	{"MBWSSF_IMPLICIT_CRC_EN", 1, 43, 1, false, 1, false, 0},
	{"MBWSSF_IMPLICIT_CODING_RATE", 1, 43, 2, false, 3, false, 0},
	{"MBWSSF_IMPLICIT_PAYLOAD_LENGHT", 1, 44, 0, false, 8, false, 0},
	{"MBWSSF_AGC_FREEZE_ON_DETECT", 1, 45, 0, false, 1, false, 1},
	{"MBWSSF_FRAME_SYNCH_PEAK1_POS", 1, 46, 0, false, 4, false, 1},
	{"MBWSSF_FRAME_SYNCH_PEAK2_POS", 1, 46, 4, false, 4, false, 2},
	{"MBWSSF_PREAMBLE_SYMB1_NB", 1, 47, 0, false, 16, false, 10},
	{"MBWSSF_FRAME_SYNCH_GAIN", 1, 49, 0, false, 1, false, 1},
	{"MBWSSF_SYNCH_DETECT_TH", 1, 49, 1, false, 1, false, 1},
	{"MBWSSF_DETECT_MIN_SINGLE_PEAK", 1, 50, 0, false, 8, false, 10},
	{"MBWSSF_DETECT_TRIG_SAME_PEAK_NB", 1, 51, 0, false, 3, false, 3},
	{"MBWSSF_FREQ_TO_TIME_INVERT", 1, 52, 0, false, 8, false, 29},
	{"MBWSSF_FREQ_TO_TIME_DRIFT", 1, 53, 0, false, 6, false, 36},
	{"MBWSSF_PPM_CORRECTION", 1, 54, 0, false, 12, false, 0},
	{"MBWSSF_PAYLOAD_FINE_TIMING_GAIN", 1, 56, 0, false, 2, false, 2},
	{"MBWSSF_PREAMBLE_FINE_TIMING_GAIN", 1, 56, 2, false, 2, false, 1},
	{"MBWSSF_TRACKING_INTEGRAL", 1, 56, 4, false, 2, false, 0},
	{"MBWSSF_ZERO_PAD", 1, 57, 0, false, 8, false, 0},
	{"MBWSSF_MODEM_BW", 1, 58, 0, false, 2, false, 0},
	{"MBWSSF_RADIO_SELECT", 1, 58, 2, false, 1, false, 0},
	{"MBWSSF_RX_CHIRP_INVERT", 1, 58, 3, false, 1, false, 1},
	{"MBWSSF_LLR_SCALE", 1, 59, 0, false, 4, false, 8},
	{"MBWSSF_SNR_AVG_CST", 1, 59, 4, false, 2, false, 3},
	{"MBWSSF_PPM_OFFSET", 1, 59, 6, false, 1, false, 0},
	{"MBWSSF_RATE_SF", 1, 60, 0, false, 4, false, 7},
	{"MBWSSF_ONLY_CRC_EN", 1, 60, 4, false, 1, false, 1},
	{"MBWSSF_MAX_PAYLOAD_LEN", 1, 61, 0, false, 8, false, 255},
	{"TX_STATUS", 1, 62, 0, false, 8, true, 128},
	{"FSK_CH_BW_EXPO", 1, 63, 0, false, 3, false, 0},
	{"FSK_RSSI_LENGTH", 1, 63, 3, false, 3, false, 0},
	{"FSK_RX_INVERT", 1, 63, 6, false, 1, false, 0},
	{"FSK_PKT_MODE", 1, 63, 7, false, 1, false, 0},
	{"FSK_PSIZE", 1, 64, 0, false, 3, false, 0},
	{"FSK_CRC_EN", 1, 64, 3, false, 1, false, 0},
	{"FSK_DCFREE_ENC", 1, 64, 4, false, 2, false, 0},
	{"FSK_CRC_IBM", 1, 64, 6, false, 1, false, 0},
	{"FSK_ERROR_OSR_TOL", 1, 65, 0, false, 5, false, 0},
	{"FSK_RADIO_SELECT", 1, 65, 7, false, 1, false, 0},
	{"FSK_BR_RATIO", 1, 66, 0, false, 16, false, 0},
	{"FSK_REF_PATTERN_LSB", 1, 68, 0, false, 32, false, 0},
	{"FSK_REF_PATTERN_MSB", 1, 72, 0, false, 32, false, 0},
	{"FSK_PKT_LENGTH", 1, 76, 0, false, 8, false, 0},
	{"FSK_TX_GAUSSIAN_EN", 1, 77, 0, false, 1, false, 1},
	{"FSK_TX_GAUSSIAN_SELECT_BT", 1, 77, 1, false, 2, false, 0},
	{"FSK_TX_PATTERN_EN", 1, 77, 3, false, 1, false, 1},
	{"FSK_TX_PREAMBLE_SEQ", 1, 77, 4, false, 1, false, 0},
	{"FSK_TX_PSIZE", 1, 77, 5, false, 3, false, 0},
	{"FSK_NODE_ADRS", 1, 80, 0, false, 8, false, 0},
	{"FSK_BROADCAST", 1, 81, 0, false, 8, false, 0},
	{"FSK_AUTO_AFC_ON", 1, 82, 0, false, 1, false, 1},
	{"FSK_PATTERN_TIMEOUT_CFG", 1, 83, 0, false, 10, false, 0},
	{"SPI_RADIO_A__DATA", 2, 33, 0, false, 8, false, 0},
	{"SPI_RADIO_A__DATA_READBACK", 2, 34, 0, false, 8, true, 0},
	{"SPI_RADIO_A__ADDR", 2, 35, 0, false, 8, false, 0},
	{"SPI_RADIO_A__CS", 2, 37, 0, false, 1, false, 0},
	{"SPI_RADIO_B__DATA", 2, 38, 0, false, 8, false, 0},
	{"SPI_RADIO_B__DATA_READBACK", 2, 39, 0, false, 8, true, 0},
	{"SPI_RADIO_B__ADDR", 2, 40, 0, false, 8, false, 0},
	{"SPI_RADIO_B__CS", 2, 42, 0, false, 1, false, 0},
	{"RADIO_A_EN", 2, 43, 0, false, 1, false, 0},
	{"RADIO_B_EN", 2, 43, 1, false, 1, false, 0},
	{"RADIO_RST", 2, 43, 2, false, 1, false, 1},
	{"LNA_A_EN", 2, 43, 3, false, 1, false, 0},
	{"PA_A_EN", 2, 43, 4, false, 1, false, 0},
	{"LNA_B_EN", 2, 43, 5, false, 1, false, 0},
	{"PA_B_EN", 2, 43, 6, false, 1, false, 0},
	{"PA_GAIN", 2, 44, 0, false, 2, false, 0},
	{"LNA_A_CTRL_LUT", 2, 45, 0, false, 4, false, 2},
	{"PA_A_CTRL_LUT", 2, 45, 4, false, 4, false, 4},
	{"LNA_B_CTRL_LUT", 2, 46, 0, false, 4, false, 2},
	{"PA_B_CTRL_LUT", 2, 46, 4, false, 4, false, 4},
	{"CAPTURE_SOURCE", 2, 47, 0, false, 5, false, 0},
	{"CAPTURE_START", 2, 47, 5, false, 1, false, 0},
	{"CAPTURE_FORCE_TRIGGER", 2, 47, 6, false, 1, false, 0},
	{"CAPTURE_WRAP", 2, 47, 7, false, 1, false, 0},
	{"CAPTURE_PERIOD", 2, 48, 0, false, 16, false, 0},
	{"MODEM_STATUS", 2, 51, 0, false, 8, true, 0},
	{"VALID_HEADER_COUNTER_0", 2, 52, 0, false, 8, true, 0},
	{"VALID_PACKET_COUNTER_0", 2, 54, 0, false, 8, true, 0},
	{"VALID_HEADER_COUNTER_MBWSSF", 2, 56, 0, false, 8, true, 0},
	{"VALID_HEADER_COUNTER_FSK", 2, 57, 0, false, 8, true, 0},
	{"VALID_PACKET_COUNTER_MBWSSF", 2, 58, 0, false, 8, true, 0},
	{"VALID_PACKET_COUNTER_FSK", 2, 59, 0, false, 8, true, 0},
	{"CHANN_RSSI", 2, 60, 0, false, 8, true, 0},
	{"BB_RSSI", 2, 61, 0, false, 8, true, 0},
	{"DEC_RSSI", 2, 62, 0, false, 8, true, 0},
	{"DBG_MCU_DATA", 2, 63, 0, false, 8, true, 0},
	{"DBG_ARB_MCU_RAM_DATA", 2, 64, 0, false, 8, true, 0},
	{"DBG_AGC_MCU_RAM_DATA", 2, 65, 0, false, 8, true, 0},
	{"NEXT_PACKET_CNT", 2, 66, 0, false, 16, true, 0},
	{"ADDR_CAPTURE_COUNT", 2, 68, 0, false, 16, true, 0},
	{"TIMESTAMP", 2, 70, 0, false, 32, true, 0},
	{"DBG_CHANN0_GAIN", 2, 74, 0, false, 4, true, 0},
	{"DBG_CHANN1_GAIN", 2, 74, 4, false, 4, true, 0},
	{"DBG_CHANN2_GAIN", 2, 75, 0, false, 4, true, 0},
	{"DBG_CHANN3_GAIN", 2, 75, 4, false, 4, true, 0},
	{"DBG_CHANN4_GAIN", 2, 76, 0, false, 4, true, 0},
	{"DBG_CHANN5_GAIN", 2, 76, 4, false, 4, true, 0},
	{"DBG_CHANN6_GAIN", 2, 77, 0, false, 4, true, 0},
	{"DBG_CHANN7_GAIN", 2, 77, 4, false, 4, true, 0},
	{"DBG_DEC_FILT_GAIN", 2, 78, 0, false, 4, true, 0},
	{"SPI_DATA_FIFO_PTR", 2, 79, 0, false, 3, true, 0},
	{"PACKET_DATA_FIFO_PTR", 2, 79, 3, false, 3, true, 0},
	{"DBG_ARB_MCU_RAM_ADDR", 2, 80, 0, false, 8, false, 0},
	{"DBG_AGC_MCU_RAM_ADDR", 2, 81, 0, false, 8, false, 0},
	{"SPI_MASTER_CHIP_SELECT_POLARITY", 2, 82, 0, false, 1, false, 0},
	{"SPI_MASTER_CPOL", 2, 82, 1, false, 1, false, 0},
	{"SPI_MASTER_CPHA", 2, 82, 2, false, 1, false, 0},
	{"SIG_GEN_ANALYSER_MUX_SEL", 2, 83, 0, false, 1, false, 0},
	{"SIG_GEN_EN", 2, 84, 0, false, 1, false, 0},
	{"SIG_ANALYSER_EN", 2, 84, 1, false, 1, false, 0},
	{"SIG_ANALYSER_AVG_LEN", 2, 84, 2, false, 2, false, 0},
	{"SIG_ANALYSER_PRECISION", 2, 84, 4, false, 3, false, 0},
	{"SIG_ANALYSER_VALID_OUT", 2, 84, 7, false, 1, true, 0},
	{"SIG_GEN_FREQ", 2, 85, 0, false, 8, false, 0},
	{"SIG_ANALYSER_FREQ", 2, 86, 0, false, 8, false, 0},
	{"SIG_ANALYSER_I_OUT", 2, 87, 0, false, 8, true, 0},
	{"SIG_ANALYSER_Q_OUT", 2, 88, 0, false, 8, true, 0},
	{"GPS_EN", 2, 89, 0, false, 1, false, 0},
	{"GPS_POL", 2, 89, 1, false, 1, false, 1},
	{"SW_TEST_REG1", 2, 90, 0, true, 8, false, 0},
	{"SW_TEST_REG2", 2, 91, 2, true, 6, false, 0},
	{"SW_TEST_REG3", 2, 92, 0, true, 16, false, 0},
	{"DATA_MNGT_STATUS", 2, 94, 0, false, 4, true, 0},
	{"DATA_MNGT_CPT_FRAME_ALLOCATED", 2, 95, 0, false, 5, true, 0},
	{"DATA_MNGT_CPT_FRAME_FINISHED", 2, 96, 0, false, 5, true, 0},
	{"DATA_MNGT_CPT_FRAME_READEN", 2, 97, 0, false, 5, true, 0},
	{"TX_TRIG_ALL", 1, 33, 0, false, 8, false, 0},
}
