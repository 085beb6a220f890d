// Command wxbot is a hospital's WeChat official-account service for 院务公开:
// patients ask and complain through chat, staff publish approved notices.
//
//	wxbot serve [--config FILE]     run the service (the demo without a config)
//	wxbot chat [--user OPENID]      a terminal WeChat client for the running service
//	wxbot import KIND FILE          validate and load hospital data
//	wxbot staff add NAME --roles .. create a staff account and print its API token
//	wxbot eval DIR                  play DIR's dialogs.json against DIR's data
//	wxbot version
package main

import (
	"os"

	"github.com/hospital/wxbot/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
