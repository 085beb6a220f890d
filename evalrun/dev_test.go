package evalrun

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDevChat replays WXBOT_DEV_CHAT (a file of lines; blank line = new user)
// against WXBOT_DEV_DATA and prints the replies. Development aid only.
func TestDevChat(t *testing.T) {
	path := os.Getenv("WXBOT_DEV_CHAT")
	if path == "" {
		t.Skip("WXBOT_DEV_CHAT not set")
	}
	dir := os.Getenv("WXBOT_DEV_DATA")
	if dir == "" {
		dir = evalDir(t)
	}
	b := newBot(t, loadData(t, dir))
	say := BotSay(b)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	user := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			user++
			fmt.Println("----")
			continue
		}
		r, err := say(context.Background(), fmt.Sprintf("dev-%d", user), line)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("> %s\n%s\n\n", line, r)
	}
}
