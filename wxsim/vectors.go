package wxsim

import (
	"encoding/json"
	"fmt"
	"os"
)

// Vectors is WeChat's official encryption sample (shared/wechat-vectors.json).
type Vectors struct {
	SafeModeDecrypt struct {
		Token          string `json:"token"`
		EncodingAESKey string `json:"encoding_aes_key"`
		AppID          string `json:"app_id"`
		Timestamp      string `json:"timestamp"`
		Nonce          string `json:"nonce"`
		Signature      string `json:"signature"`
		MsgSignature   string `json:"msg_signature"`
		Encrypt        string `json:"encrypt"`
		PostBody       string `json:"post_body"`
		DecryptedXML   string `json:"decrypted_xml"`
	} `json:"safe_mode_decrypt"`
	PlainModeSignature struct {
		Token     string `json:"token"`
		Timestamp string `json:"timestamp"`
		Nonce     string `json:"nonce"`
		Signature string `json:"signature"`
	} `json:"plain_mode_signature"`
}

// LoadVectors reads the vectors file (tests find it with
// testenv.SharedDir(t, "wechat-vectors.json")).
func LoadVectors(path string) (*Vectors, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read vectors: %w", err)
	}
	var v Vectors
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("parse vectors %s: %w", path, err)
	}
	return &v, nil
}
