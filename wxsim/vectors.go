package wxsim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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

// FindShared walks up from the working directory to the first folder holding
// shared/<rel> and returns that path ("" when none).
func FindShared(rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// LoadVectors reads the vectors file; path "" looks for shared/wechat-vectors.json
// upwards from the working directory.
func LoadVectors(path string) (*Vectors, error) {
	if path == "" {
		path = FindShared("wechat-vectors.json")
		if path == "" {
			return nil, fmt.Errorf("shared/wechat-vectors.json not found above the working directory")
		}
	}
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
