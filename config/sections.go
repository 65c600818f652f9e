package config

// Concentrator chooses the board and its settings.
type Concentrator struct {
	// Board is a board name (see board.Names).
	Board string `toml:"board"`
	// FirmwareDir holds the chip firmware files, loaded at run time.
	FirmwareDir string `toml:"firmware_dir"`
	// SPIDevice overrides the board's SPI device ("/dev/spidev0.0").
	SPIDevice string `toml:"spi_device"`
	// SPISpeed is the SPI clock in Hz (the board's may be lower).
	SPISpeed int `toml:"spi_speed"`
	// ResetLine and PowerLine override the board's GPIO line names.
	ResetLine string `toml:"reset_line"`
	PowerLine string `toml:"power_line"`
	// RSSIOffset overrides the board's RSSI offset in dB (0: the board's).
	RSSIOffset float64 `toml:"rssi_offset"`
	// GPSDevice is the GPS serial port ("/dev/serial0"); empty: no GPS.
	GPSDevice string `toml:"gps_device"`
	// FineTimestamp turns on the SX1303's precision timestamps (fine time
	// in ns since the PPS on each uplink); refused on an SX1302.
	FineTimestamp bool `toml:"fine_timestamp"`
	// Temperature is the board temperature in °C used for RSSI
	// temperature compensation on boards without a sensor (default 25).
	Temperature float64 `toml:"temperature"`
	// SubBand picks the US915/AU915 sub-band (1-8; 0: 2) of the default
	// channel plan.
	SubBand int `toml:"sub_band"`
	// Radios, Channels, ServiceChannel and FSKChannel give the receive
	// channel plan explicitly (see channels.go); empty: the region's.
	Radios         []RadioConf         `toml:"radio"`
	Channels       []ChannelConf       `toml:"channel"`
	ServiceChannel *ServiceChannelConf `toml:"service_channel"`
	FSKChannel     *FSKChannelConf     `toml:"fsk_channel"`
	// Sim configures the simulated concentrator (board "sim").
	Sim Sim `toml:"sim"`
}

// Sim configures the simulated concentrator.
type Sim struct {
	// Traffic is a JSON-lines file of uplinks to inject (a relative path
	// is relative to the configuration file's directory).
	Traffic string `toml:"traffic"`
	// PPM is the simulated crystal error.
	PPM float64 `toml:"ppm"`
	// GPS turns the simulated GPS on.
	GPS bool `toml:"gps"`
	// GPSJitter is the simulated PPS jitter.
	GPSJitter Duration `toml:"gps_jitter"`
}

// MQTT configures the connection to the broker.
type MQTT struct {
	// Enabled connects to the broker (default true); a gateway with only
	// [[forwarder]] servers may turn it off and needs no broker.
	Enabled bool `toml:"enabled"`
	// Server is tcp://host:port, ssl://host:port or tls://host:port.
	Server string `toml:"server"`
	// TopicPrefix starts every topic (default "lgw").
	TopicPrefix string `toml:"topic_prefix"`
	// Username and Password authenticate; the password never appears in
	// logs or responses.
	Username string `toml:"username"`
	Password string `toml:"password"`
	// CACert, ClientCert and ClientKey are PEM files for TLS and mutual
	// TLS.
	CACert     string `toml:"ca_cert"`
	ClientCert string `toml:"client_cert"`
	ClientKey  string `toml:"client_key"`
	// Keepalive is the MQTT keepalive.
	Keepalive Duration `toml:"keepalive"`
	// StatsInterval is how often stats are published.
	StatsInterval Duration `toml:"stats_interval"`
	// BufferSize bounds the uplinks and stats kept in memory while the
	// broker is unreachable.
	BufferSize int `toml:"buffer_size"`
	// SpoolDir is the on-disk spool of reports and responses waiting for
	// the broker (default: mqtt-spool under storage.dir); SpoolMax bounds
	// its records (default 10000).
	SpoolDir string `toml:"spool_dir"`
	SpoolMax int    `toml:"spool_max"`
	// Management enables the management operations (RestartConcentrator,
	// SetLogLevel); when false they answer AccessDeniedException.
	Management bool `toml:"management"`
	// RateLimit (commands per second) and RateBurst size the token bucket
	// that answers floods with ThrottlingException.
	RateLimit float64 `toml:"rate_limit"`
	RateBurst int     `toml:"rate_burst"`
}
