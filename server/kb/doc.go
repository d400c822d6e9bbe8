// Package kb is the knowledge base's file format and its import and export.
//
// # Files
//
// An article is a Markdown file with YAML front matter between "---" lines:
//
//	---
//	id: vpn-setup                # a slug; the file name does not matter
//	translation_of: vpn-setup    # the original this translates (itself for an original)
//	title: Set up the VPN
//	summary: One or two sentences for lists and search.
//	category: network            # see shared.Categories
//	subcategory: vpn             # optional, one of the category's
//	tags: [vpn, remote]
//	lang: en                     # en or es
//	visibility: public           # public (default) or internal
//	status: published            # draft, published (default) or archived
//	revision: 3                  # written by export; see below
//	updated_at: "2024-05-01T09:30:00.000Z"
//	updated_by: import
//	---
//
//	## Markdown body
//
// Parse reads one file and Format writes one; Parse(Format(a)) == a for
// every valid article. Render turns Markdown into sanitized HTML.
//
// # Import
//
// Import (`outpost kb import DIR`) reads every *.md file under a directory,
// recursively and in path order, skipping directories whose names start
// with ".". It checks every file alone and all of them together (an ID used
// twice, a translation_of that names no article in the import or the store,
// two articles with the same translation_of and lang), and if anything is
// wrong it reports every problem as file:line and writes nothing at all.
//
// An article whose content (everything but revision, updated_at and
// updated_by) equals the stored one is not written: re-importing the same
// files is a no-op, with no new change-log version. A changed article gets
// the stored revision + 1, the import's time and updated_by "import"; a new
// one keeps the revision, time and author its file gives (so importing an
// export into an empty store restores every field) or gets 1, now and
// "import". Every version written also becomes a shared.Revision record
// ("revision"/<id>.<n>). Articles missing from the directory are left as
// they are: an import never deletes.
//
// # What an import guarantees
//
// Badger refuses transactions over about 10 MB, so a large import cannot be
// one transaction. An import whose new and changed articles fit in one
// batch (DefaultBatchBytes of JSON; the 24 demo articles take about a
// third of it) is written in one transaction. A larger one goes through a
// journal, a single record of type JournalType:
//
//  1. journal "staging"; each batch written as a StageType record, one
//     transaction each. No article has changed yet.
//  2. journal "publishing". From here the import only goes forward.
//  3. each batch published in one transaction: its articles, their
//     revisions, and the deletion of the staged batch.
//  4. journal "done".
//
// Recover reads the journal and finishes what an error or a crash left: in
// "staging" it deletes the staged batches (rolled back), in "publishing" it
// publishes the batches still staged (rolled forward). Import and Export
// run it first, and so does the server before it serves (seed.IfEmpty).
//
// So, for the articles clients can read:
//   - an import with a problem in any file changes nothing;
//   - an import that fails or is killed while staging leaves every article
//     as it was (Import deletes the staged copy on an error; Recover does
//     after a crash);
//   - an import that fails or is killed while publishing is completed, in
//     full, by the next Recover: at the server's next start, or the next
//     `outpost kb import` or `export`. Until then the store holds part of
//     it; with the CLI no client can see that, since the server is not
//     running on the directory (Badger's lock).
//   - If a running server ever runs an import itself, clients that pull
//     during step 3 may see some batches before others, for as long as
//     publishing takes (it is not atomic across batches); the end state is
//     the whole import. Options.Changed lets that server poke clients.
//
// The journal and staged records go through the change log like any record.
// Clients never receive them (server/sync sends articles and tickets), but
// a staged batch's deletion leaves a tombstone that clients receive and
// ignore; batch IDs are reused, so there are never more such tombstones
// than the largest import had batches.
//
// # Export
//
// Export (`outpost kb export DIR`) writes every article, whatever its status
// and visibility, to DIR/<id>.md. Revisions are not exported.
package kb
