// Package emulated registers the boards that need no hardware with package
// board: "sim" (the hal/sim concentrator) and the real drivers on their
// SPI-level chip emulators ("sx1302-emulated"). They stay in the product,
// so anyone can run the agent and the real driver without a concentrator;
// import this package for its side effect where boards are looked up:
//
//	import _ "github.com/lgwagent/lgw/board/emulated"
package emulated

import "github.com/lgwagent/lgw/board"

func init() {
	board.Register(simBoard, openSim)
	board.Register(sx1302Emulated, openSX1302Emulated)
}
