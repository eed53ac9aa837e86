package watcher

import (
	"context"
	"fmt"
	"strings"

	"depositdesk/core"
)

// Witness is another node of the watcher's network (the firm's own node
// beside a provider's). The watcher follows its Chain alone and asks the
// witnesses only before crediting: one lying or lagging node never credits
// a deposit by itself.
type Witness struct {
	Name  string
	Chain core.Chain
}

// verdict is what the witnesses say of a block a deposit is about to be
// credited on.
type verdict int

const (
	agreed   verdict = iota // every witness that answered has the block with enough confirmations
	lagging                 // a witness has not reached the height or the confirmations yet: ask again next pass
	disputed                // a witness has another block at that height: hold for review
)

// witnessed asks every witness for its block at height and its tip. It
// returns the verdict and the words for the audit row: who confirmed, who
// did not answer, or both answers of a dispute.
func (c *check) witnessed(ctx context.Context, height int64, hash string) (verdict, string, error) {
	w := c.w
	if len(w.Witnesses) == 0 {
		return agreed, "", nil
	}
	var confirmed, silent []string
	for _, wit := range w.Witnesses {
		b, err := wit.Chain.Block(ctx, height)
		switch {
		case core.ErrorCode(err) == core.ENOTFOUND:
			return lagging, "", nil
		case err != nil:
			if ctx.Err() != nil {
				return 0, "", ctx.Err()
			}
			w.log().Warn("witness node did not answer; crediting on the nodes that did", "network", w.Network.String(), "node", wit.Name, "error", err)
			silent = append(silent, wit.Name)
			continue
		case b == nil || b.Hash == "":
			silent = append(silent, wit.Name)
			continue
		case b.Hash != hash:
			return disputed, fmt.Sprintf("Nodes disagree on block %d: %s says %s, %s says %s. Credited by neither; a supervisor decides.",
				height, w.nodeName(), hash, wit.Name, b.Hash), nil
		}
		head, err := wit.Chain.Head(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return 0, "", ctx.Err()
			}
			silent = append(silent, wit.Name)
			continue
		}
		if core.Confirmations(height, head.Height) < c.rec.ConfirmationsRequired {
			return lagging, "", nil
		}
		confirmed = append(confirmed, wit.Name)
	}
	words := ""
	if len(confirmed) > 0 {
		words += " Confirmed by " + strings.Join(confirmed, ", ") + "."
	}
	if len(silent) > 0 {
		words += " Did not answer: " + strings.Join(silent, ", ") + "."
	}
	return agreed, words, nil
}

func (w *Watcher) nodeName() string {
	if w.NodeName != "" {
		return w.NodeName
	}
	return "the followed node"
}
