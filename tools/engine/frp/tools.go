//go:build tools

// Package tools pins the frp client and server main packages so `go mod tidy` keeps their deps.
package tools

import (
	_ "github.com/fatedier/frp/cmd/frpc"
	_ "github.com/fatedier/frp/cmd/frps"
)
