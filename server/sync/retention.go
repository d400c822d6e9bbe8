package sync

import (
	"context"
	"encoding/json"
	"time"

	"outpost/server/mail"
	"outpost/server/store"
	"outpost/shared"
)

// Retention: what a visitor typed at a kiosk (their name and e-mail
// address, the visitor record) is kept while their visit is worked, and
// for DefaultVisitorRetention after it ended, then deleted; so are the
// e-mails sent to them. The visit itself stays: the queue's history and the
// desk's figures hold no personal data. A deletion goes through the change
// log, so staff devices drop the visitor on their next pull too.

// DefaultVisitorRetention is how long visitor data outlives the visit.
const DefaultVisitorRetention = 30 * 24 * time.Hour

// purgeBatch is how many records one transaction deletes.
const purgeBatch = 256

// PurgeVisitorData deletes the visitor records of visits that ended before
// cutoff (resolved, ticketed or no-show), or that were checked in before it
// and never ended, and the e-mails sent or given up before it. E-mails still
// queued stay: they wait for an SMTP server. It returns how many of each it
// deleted.
func (s *Service) PurgeVisitorData(ctx context.Context, cutoff time.Time) (visitors, mails int, err error) {
	before := cutoff.UnixMilli()
	var goneVisitors, goneMails []string
	err = s.Store.View(ctx, func(tx store.ReadTx) error {
		if err := tx.Each(shared.TypeVisitor, func(id string, _ []byte) error {
			var v shared.Visit
			switch err := getRecord(tx, shared.TypeVisit, id, &v); {
			case shared.ErrorCode(err) == shared.ENOTFOUND:
				goneVisitors = append(goneVisitors, id) // no visit to serve: nothing needs it
			case err != nil:
				return err
			case v.EndedAt != 0 && v.EndedAt < before, v.EndedAt == 0 && v.Received < before:
				goneVisitors = append(goneVisitors, id)
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.Each(shared.TypeOutmail, func(id string, data []byte) error {
			var m shared.Outmail
			if err := json.Unmarshal(data, &m); err != nil {
				return err
			}
			last := max(m.SentAt, m.CreatedAt)
			if (m.Status == mail.StatusSent || m.Status == mail.StatusFailed) && last < before {
				goneMails = append(goneMails, id)
			}
			return nil
		})
	})
	if err != nil {
		return 0, 0, err
	}
	if visitors, err = s.deleteAll(ctx, shared.TypeVisitor, goneVisitors); err != nil {
		return visitors, 0, err
	}
	mails, err = s.deleteAll(ctx, shared.TypeOutmail, goneMails)
	return visitors, mails, err
}

// deleteAll deletes records of typ in batches, and pokes the devices that
// may hold them.
func (s *Service) deleteAll(ctx context.Context, typ string, ids []string) (int, error) {
	done := 0
	for len(ids) > 0 {
		n := min(len(ids), purgeBatch)
		err := s.Store.Update(ctx, func(tx store.Tx) error {
			for _, id := range ids[:n] {
				if err := tx.Delete(typ, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done += n
		ids = ids[n:]
	}
	if done > 0 {
		s.Changed()
	}
	return done, nil
}

// RunRetention purges visitor data older than keep now and every interval
// until ctx is done.
func (s *Service) RunRetention(ctx context.Context, keep, interval time.Duration) {
	tick, ticks := s.clock().NewTicker(interval)
	defer tick.Stop()
	for {
		visitors, mails, err := s.PurgeVisitorData(ctx, s.Now().Add(-keep))
		switch {
		case err != nil && ctx.Err() == nil:
			s.Log.Log(ctx, store.FailureLevel(err), "purge visitor data", "err", err)
		case visitors+mails > 0:
			s.Log.Info("purged visitor data past retention", "visitors", visitors, "emails", mails, "keep", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}
