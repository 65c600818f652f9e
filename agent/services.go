package agent

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/control"
)

// startServices starts what serves the outside: the control socket.
func (a *Agent) startServices(ctx context.Context) error {
	a.ctl = control.NewServer(a.cfg.Control.Socket, a.cfg.Control.Group, a, a.log.Named("control"), control.WithClock(a.clk))
	if err := a.ctl.Start(ctx); err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	a.log.Info("control socket listening", zap.String("socket", a.cfg.Control.Socket))
	return nil
}

// stopServices stops them in reverse order.
func (a *Agent) stopServices() {
	if a.ctl != nil {
		a.ctl.Stop()
	}
}
