-- The same schema as create_all made it on PostgreSQL before migrations.
CREATE TABLE alerts_queued (
	announcement_id INTEGER NOT NULL, 
	queued_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (announcement_id)
);

CREATE TABLE alerts_sent (
	chat_id BIGINT NOT NULL, 
	announcement_id INTEGER NOT NULL, 
	sent_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (chat_id, announcement_id)
);

CREATE TABLE announcements (
	id SERIAL NOT NULL, 
	key VARCHAR(1024) NOT NULL, 
	type VARCHAR(100), 
	title TEXT NOT NULL, 
	summary TEXT, 
	body TEXT NOT NULL, 
	url VARCHAR(1024), 
	published TIMESTAMP WITH TIME ZONE, 
	updated TIMESTAMP WITH TIME ZONE, 
	organisation TEXT, 
	extra JSON, 
	source VARCHAR(1024) NOT NULL, 
	source_position INTEGER NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	ingested_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (key)
);

CREATE INDEX ix_announcements_published ON announcements (published);

CREATE TABLE chunk_tombstones (
	chunk_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (chunk_id)
);

CREATE INDEX ix_chunk_tombstones_version ON chunk_tombstones (version);

CREATE TABLE corpus_state (
	id SERIAL NOT NULL, 
	store_id VARCHAR(36) NOT NULL, 
	version INTEGER NOT NULL, 
	changed_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id)
);

CREATE TABLE subscriptions (
	id SERIAL NOT NULL, 
	chat_id BIGINT NOT NULL, 
	words VARCHAR(200) NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (chat_id, words)
);

CREATE INDEX ix_subscriptions_chat_id ON subscriptions (chat_id);

CREATE TABLE sync_state (
	id SERIAL NOT NULL, 
	high_water TIMESTAMP WITH TIME ZONE, 
	last_success TIMESTAMP WITH TIME ZONE, 
	last_items INTEGER NOT NULL, 
	lease_owner VARCHAR(36), 
	lease_until TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id)
);

CREATE TABLE chunks (
	id SERIAL NOT NULL, 
	announcement_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(announcement_id) REFERENCES announcements (id) ON DELETE CASCADE
);

CREATE INDEX ix_chunks_announcement_id ON chunks (announcement_id);
