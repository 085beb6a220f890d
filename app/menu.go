package app

import (
	"encoding/json"
	"fmt"

	"github.com/hospital/wxbot/bot"
)

// DefaultMenu is the custom menu pushed by `wxbot menu push` when config key
// `menu` is empty. Its CLICK keys are the bot's (bot.Key*).
var DefaultMenu = fmt.Sprintf(`{"button":[
 {"name":"就医服务","sub_button":[
  {"type":"click","name":"收费查询","key":%q},
  {"type":"click","name":"就诊流程","key":%q},
  {"type":"click","name":"医生出诊","key":%q},
  {"type":"click","name":"预约挂号","key":%q}]},
 {"name":"院务公开","sub_button":[
  {"type":"click","name":"最新公示","key":%q},
  {"type":"click","name":"我的订阅","key":%q}]},
 {"name":"意见投诉","sub_button":[
  {"type":"click","name":"我要投诉","key":%q},
  {"type":"click","name":"我的投诉","key":%q},
  {"type":"click","name":"人工服务","key":%q},
  {"type":"click","name":"使用帮助","key":%q}]}
]}`, bot.KeyPrices, bot.KeyProcesses, bot.KeySchedules, bot.KeyAppointment,
	bot.KeyNotices, bot.KeySubscriptions,
	bot.KeyComplaint, bot.KeyMyComplaints, bot.KeyHuman, bot.KeyHelp)

// MenuJSON returns the configured menu (config key `menu`) or DefaultMenu,
// checked to be JSON with a "button" list.
func MenuJSON(configured string) ([]byte, error) {
	raw := configured
	if raw == "" {
		raw = DefaultMenu
	}
	var m struct {
		Button []json.RawMessage `json:"button"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("menu: not valid JSON: %w", err)
	}
	if len(m.Button) == 0 || len(m.Button) > 3 {
		return nil, fmt.Errorf("menu: needs 1 to 3 top-level buttons, has %d", len(m.Button))
	}
	return []byte(raw), nil
}
