"""English irregular verbs, for the query's second stage (query.py): the stemmer joins "grows",
"growing" and "grow", but not "grew" or "grown", so "how long has the economy been growing" missed
"the economy has grown". Each line: the base form, then its past and past participle forms. This is
the ordinary list of English irregular verbs (the common ones, not chosen from our questions),
without those whose forms are mostly other words in GOV.UK's writing: "found" (an inquiry found
that…), "ground", "saw", "lay", "wound", "spring", "light", "tear" and the like.
"""

from __future__ import annotations

_VERBS = """
arise arose arisen
awake awoke awoken
be was were been
beat beat beaten
become became become
begin began begun
bend bent bent
bet bet bet
bind bound bound
bite bit bitten
bleed bled bled
blow blew blown
break broke broken
breed bred bred
bring brought brought
broadcast broadcast broadcast
build built built
burn burnt burnt
buy bought bought
catch caught caught
choose chose chosen
cling clung clung
come came come
cost cost cost
creep crept crept
cut cut cut
deal dealt dealt
dig dug dug
do did done
draw drew drawn
dream dreamt dreamt
drink drank drunk
drive drove driven
eat ate eaten
fall fell fallen
feed fed fed
feel felt felt
fight fought fought
flee fled fled
fly flew flown
forbid forbade forbidden
forecast forecast forecast
forget forgot forgotten
forgive forgave forgiven
freeze froze frozen
get got gotten
give gave given
go went gone
grow grew grown
have had had
hear heard heard
hide hid hidden
hit hit hit
hold held held
hurt hurt hurt
keep kept kept
kneel knelt knelt
know knew known
lead led led
lean leant leant
leap leapt leapt
learn learnt learnt
leave left left
lend lent lent
let let let
lose lost lost
make made made
mean meant meant
meet met met
mislead misled misled
mistake mistook mistaken
overcome overcame overcome
overtake overtook overtaken
overthrow overthrew overthrown
pay paid paid
prove proved proven
put put put
quit quit quit
read read read
rebuild rebuilt rebuilt
rid rid rid
ride rode ridden
rise rose risen
run ran run
say said said
seek sought sought
sell sold sold
send sent sent
set set set
shake shook shaken
shed shed shed
shine shone shone
shoot shot shot
show showed shown
shrink shrank shrunk
shut shut shut
sing sang sung
sink sank sunk
sit sat sat
sleep slept slept
slide slid slid
speak spoke spoken
speed sped sped
spend spent spent
spin spun spun
split split split
spread spread spread
stand stood stood
steal stole stolen
stick stuck stuck
sting stung stung
strike struck struck
strive strove striven
swear swore sworn
sweep swept swept
swim swam swum
swing swung swung
take took taken
teach taught taught
tell told told
think thought thought
throw threw thrown
undergo underwent undergone
understand understood understood
undertake undertook undertaken
upset upset upset
wake woke woken
wear wore worn
weave wove woven
weep wept wept
win won won
withdraw withdrew withdrawn
withhold withheld withheld
withstand withstood withstood
write wrote written
"""

# Every form -> all forms of its verb (itself included), plain words: query.py stems them.
IRREGULAR: dict[str, tuple[str, ...]] = {}
for _line in _VERBS.strip().splitlines():
    _forms = tuple(dict.fromkeys(_line.split()))
    for _form in _forms:
        IRREGULAR[_form] = tuple(dict.fromkeys(IRREGULAR.get(_form, ()) + _forms))
