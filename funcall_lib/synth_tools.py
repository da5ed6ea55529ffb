"""The tools catalogue of the bundled generator: tools, their phrasings, multi-turn chains.

A tool is data: its parameters (slot kinds from `synth_pools.KINDS`, enums, booleans) and the
phrasings a person would use for it. In a phrasing, `{param}` is filled with a sampled value;
parameters a phrasing does not mention are left out of the call (so optional parameters are
both used and omitted); `|| key=<json>` after a phrasing fixes an argument the words imply
(e.g. "only refundable ones" -> refundable=true). A phrasing starting with `=` is a whole
sentence (usually a question); others are commands that get a polite/terse wrapper.
The last phrasing of each tool is held out of training (dev/test only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from funcall_lib.synth_pools import FIRST, TASKS


@dataclass(frozen=True)
class Param:
    kind: str | None            # a synth_pools.KINDS name, or None for enum/boolean
    description: str
    optional: bool = False
    enum: tuple = ()
    boolean: bool = False


def P(kind, description, optional=False):
    return Param(kind, description, optional)


def E(values, description, optional=False):
    return Param(None, description, optional, enum=tuple(values))


def B(description):
    return Param(None, description, optional=True, boolean=True)


@dataclass(frozen=True)
class Tool:
    domain: str
    name: str
    description: str
    params: dict
    phrasings: tuple = field(default_factory=tuple)


TOOLS: list[Tool] = []


def T(domain, name, description, params, *phrasings):
    TOOLS.append(Tool(domain, name, description, params, tuple(phrasings)))


# ---------------------------------------------------------------- weather
T("weather", "get_current_weather", "Get the current weather conditions for a city.",
  {"city": P("city", "City name, e.g. Lisbon"),
   "unit": E(["celsius", "fahrenheit"], "Temperature unit", optional=True)},
  "=What's the weather like in {city} right now?", "check the current weather in {city}",
  "=How warm is it in {city} at the moment, in {unit}?", "tell me the weather in {city} in {unit}",
  "=Is it cold in {city} today?")
T("weather", "get_forecast", "Get the daily weather forecast for a city for the next days.",
  {"city": P("city", "City name"), "days": P("count", "Number of days, 1-9"),
   "unit": E(["celsius", "fahrenheit"], "Temperature unit", optional=True)},
  "get the {days}-day forecast for {city}", "=What will the weather be in {city} over the next {days} days?",
  "show me a {days} day forecast for {city} in {unit}", "=Can I expect rain in {city} in the coming {days} days?")
T("weather", "get_air_quality", "Get the air quality index for a city.",
  {"city": P("city", "City name"), "include_pollutants": B("Also list individual pollutant levels")},
  "check the air quality in {city}", "=How clean is the air in {city} today?",
  "get the air quality in {city} with the pollutant breakdown || include_pollutants=true",
  "=What's the AQI in {city}?")
T("weather", "get_sunrise_sunset", "Get sunrise and sunset times for a city on a date.",
  {"city": P("city", "City name"), "date": P("date", "Date, YYYY-MM-DD")},
  "=When does the sun rise in {city} on {date}?", "get sunrise and sunset times for {city} on {date}",
  "=What time is sunset in {city} on {date}?")

# ---------------------------------------------------------------- travel
T("travel", "search_flights", "Search flights between two airports on a date.",
  {"origin": P("airport", "Origin IATA airport code"), "destination": P("airport", "Destination IATA code"),
   "date": P("date", "Departure date, YYYY-MM-DD"), "passengers": P("guests", "Number of passengers", True),
   "cabin": E(["economy", "premium", "business", "first"], "Cabin class", True),
   "nonstop_only": B("Only direct flights")},
  "find flights from {origin} to {destination} on {date}",
  "search {cabin} flights {origin} to {destination} on {date} for {passengers} passengers",
  "=Are there any direct flights from {origin} to {destination} on {date}? || nonstop_only=true",
  "look up flights from {origin} to {destination} on {date} for {passengers} people",
  "=Which flights go from {origin} to {destination} on {date} in {cabin}?")
T("travel", "book_hotel", "Book a hotel room in a city.",
  {"city": P("city", "City"), "check_in": P("date", "Check-in date, YYYY-MM-DD"),
   "nights": P("nights", "Number of nights"), "guests": P("guests", "Number of guests", True),
   "max_price": P("amount", "Maximum price per night", True)},
  "book a hotel in {city} from {check_in} for {nights} nights",
  "reserve a room in {city} for {guests} guests checking in {check_in}, {nights} nights",
  "book me a hotel in {city}, arriving {check_in}, staying {nights} nights, under {max_price} a night",
  "=Can you get me a room in {city} for {nights} nights starting {check_in}?")
T("travel", "get_flight_status", "Get the live status of a flight by its number.",
  {"flight_number": E(["SK1455", "AF1234", "LH401", "BA117", "NH203", "KL1002", "EK73", "QF12"], "Flight number")},
  "=Is flight {flight_number} on time?", "check the status of flight {flight_number}",
  "=Has {flight_number} departed yet?")
T("travel", "rent_car", "Rent a car for pickup in a city.",
  {"city": P("city", "Pickup city"), "pickup_date": P("date", "Pickup date"),
   "days": P("nights", "Rental length in days"),
   "car_type": E(["compact", "sedan", "suv", "van", "electric"], "Vehicle type", True)},
  "rent a car in {city} from {pickup_date} for {days} days",
  "book a {car_type} rental in {city} starting {pickup_date} for {days} days",
  "=I need a {car_type} in {city} on {pickup_date} for {days} days, can you arrange it?")
T("travel", "get_visa_requirements", "Get visa requirements for travelling to a country.",
  {"destination": P("country", "Destination country"), "citizenship": P("country", "Traveller's citizenship")},
  "=Do {citizenship} citizens need a visa for {destination}?",
  "check visa rules for a {citizenship} passport holder visiting {destination}",
  "=What are the entry requirements for {destination} if I'm from {citizenship}?")

# ---------------------------------------------------------------- calendar
T("calendar", "create_event", "Create a calendar event.",
  {"title": P("task", "Event title"), "date": P("date", "Date, YYYY-MM-DD"),
   "start_time": P("time", "Start time, 24-hour HH:MM"),
   "duration_minutes": P("minutes", "Length in minutes", True),
   "attendees": P("emails", "Email addresses to invite", True)},
  "put '{title}' on my calendar for {date} at {start_time}",
  "schedule '{title}' on {date} at {start_time} for {duration_minutes} minutes",
  "create an event '{title}' on {date} at {start_time} and invite {attendees}",
  "=Can you block {duration_minutes} minutes at {start_time} on {date} for '{title}'?")
T("calendar", "list_events", "List calendar events on a date.",
  {"date": P("date", "Date, YYYY-MM-DD"), "limit": P("limit", "Maximum number of events", True)},
  "=What's on my calendar on {date}?", "list my events for {date}",
  "show the first {limit} events on {date}", "=Do I have anything scheduled on {date}?")
T("calendar", "cancel_event", "Cancel a calendar event by title and date.",
  {"title": P("task", "Event title"), "date": P("date", "Date of the event"),
   "notify_attendees": B("Email the attendees about the cancellation")},
  "cancel '{title}' on {date}", "remove '{title}' from my calendar on {date} and let everyone know || notify_attendees=true",
  "=Could you drop '{title}' on {date} from my schedule?")
T("calendar", "find_free_slot", "Find a free time slot of a given length on a date.",
  {"date": P("date", "Date"), "duration_minutes": P("minutes", "Length needed in minutes")},
  "find me a free {duration_minutes}-minute slot on {date}",
  "=When am I free for {duration_minutes} minutes on {date}?",
  "look for a {duration_minutes} minute gap in my schedule on {date}")

# ---------------------------------------------------------------- messaging
T("messaging", "send_email", "Send an email.",
  {"to": P("email", "Recipient email"), "subject": P("note", "Subject line"),
   "body": P("message", "Message body"), "cc": P("emails", "Addresses to copy", True),
   "high_priority": B("Mark as high priority")},
  "email {to} with the subject '{subject}' saying \"{body}\"",
  "send an email to {to}, subject '{subject}', body: \"{body}\"",
  "send an urgent email to {to} titled '{subject}': \"{body}\" || high_priority=true",
  "write to {to} about '{subject}' and cc {cc}: \"{body}\"")
T("messaging", "send_text_message", "Send an SMS text message to a phone number.",
  {"phone_number": P("phone", "Phone number with country code"), "message": P("message", "Text to send")},
  "text {phone_number}: \"{message}\"", "send \"{message}\" to {phone_number}",
  "=Can you message {phone_number} saying \"{message}\"?")
T("messaging", "search_inbox", "Search emails in the inbox.",
  {"query": P("topic", "Search words"), "sender": P("email", "Only from this sender", True),
   "unread_only": B("Only unread messages")},
  "search my inbox for '{query}'", "find emails about '{query}' from {sender}",
  "=Do I have any unread emails about '{query}'? || unread_only=true",
  "look through my mail for anything on '{query}'")
T("messaging", "create_contact", "Add a contact to the address book.",
  {"name": P("person", "Full name"), "email": P("email", "Email", True), "phone": P("phone", "Phone", True),
   "address": P("address", "Postal address", True)},
  "add {name} to my contacts with email {email}", "save a contact for {name}, phone {phone}",
  "create a contact {name} living at {address}", "=Could you store {name}'s number, {phone}?")

# ---------------------------------------------------------------- shopping
T("shopping", "search_products", "Search the store catalogue.",
  {"query": P("product", "What to look for"), "price_range": P("price_range", "Price bounds", True),
   "sort_by": E(["relevance", "price_low", "price_high", "rating"], "Sort order", True),
   "in_stock_only": B("Hide items that are out of stock")},
  "search for a {query}", "find a {query} priced {price_range}",
  "look for {query} sorted by {sort_by}", "=Do you have any {query} in stock? || in_stock_only=true",
  "=Which {query} can I get {price_range}?")
T("shopping", "add_to_cart", "Add a product to the shopping cart.",
  {"product": P("product", "Product name"), "quantity": P("count", "How many", True)},
  "add a {product} to my cart", "put {quantity} of the {product} in my basket",
  "=Can you add {quantity} {product} to the cart?")
T("shopping", "track_order", "Track an order by its order number.",
  {"order_id": E(["A-10293", "B-55810", "C-71002", "D-33817", "E-90411", "F-12006"], "Order number")},
  "track order {order_id}", "=Where is my order {order_id}?", "=Has order {order_id} shipped yet?")
T("shopping", "place_grocery_order", "Order groceries for delivery.",
  {"items": P("order_lines", "Items and quantities"), "store_city": P("city", "City of the store"),
   "delivery_date": P("date", "Delivery date", True)},
  "order {items} from the store in {store_city}",
  "get {items} delivered from {store_city} on {delivery_date}",
  "=Could you order {items} for me from the {store_city} shop?")
T("shopping", "return_item", "Start a return for an item of an order.",
  {"order_id": E(["A-10293", "B-55810", "C-71002", "D-33817", "E-90411", "F-12006"], "Order number"),
   "reason": E(["damaged", "wrong_item", "too_small", "too_large", "changed_mind"], "Return reason")},
  "return order {order_id}, reason {reason}", "start a return for {order_id} because it's {reason}",
  "=I want to send back {order_id} ({reason}), can you start that?")

# ---------------------------------------------------------------- finance
T("finance", "convert_currency", "Convert an amount between currencies.",
  {"amount": P("amount", "Amount to convert"), "from_currency": P("currency", "ISO code to convert from"),
   "to_currency": P("currency", "ISO code to convert to")},
  "convert {amount} {from_currency} to {to_currency}", "=How much is {amount} {from_currency} in {to_currency}?",
  "change {amount} {from_currency} into {to_currency}", "=What do I get for {amount} {from_currency} in {to_currency}?")
T("finance", "transfer_money", "Transfer money to a person.",
  {"recipient": P("person", "Recipient name"), "amount": P("amount", "Amount"),
   "currency": P("currency", "ISO currency code"), "note": P("note", "Payment note", True),
   "scheduled_date": P("date", "Date to send, if not today", True)},
  "send {amount} {currency} to {recipient}", "transfer {amount} {currency} to {recipient} with the note '{note}'",
  "pay {recipient} {amount} {currency} on {scheduled_date}", "=Can you wire {amount} {currency} to {recipient}?")
T("finance", "get_account_balance", "Get the balance of a bank account.",
  {"account": E(["checking", "savings", "credit_card"], "Which account")},
  "=What's the balance on my {account} account?", "show my {account} balance",
  "=How much money is in {account}?")
T("finance", "list_transactions", "List recent transactions of an account.",
  {"account": E(["checking", "savings", "credit_card"], "Which account"),
   "since": P("date", "Only transactions from this date", True), "limit": P("limit", "How many", True)},
  "list my {account} transactions since {since}", "show the last {limit} transactions on {account}",
  "=What did I spend on my {account} since {since}?")
T("finance", "split_bill", "Split a bill between people, with an optional tip.",
  {"total": P("amount", "Bill total"), "people": P("guests", "Number of people"),
   "tip_percent": P("percent", "Tip percentage", True)},
  "split {total} between {people} people", "split a {total} bill {people} ways with a {tip_percent}% tip",
  "=How much does each of {people} pay on a {total} bill with {tip_percent}% tip?")

# ---------------------------------------------------------------- stocks
T("stocks", "get_stock_quote", "Get the latest price of a stock.",
  {"symbol": P("ticker", "Ticker symbol")},
  "=What's {symbol} trading at?", "get a quote for {symbol}", "check the price of {symbol}",
  "=How is {symbol} doing today?")
T("stocks", "compare_stocks", "Compare several stocks' performance over a period.",
  {"symbols": P("tickers", "Ticker symbols"), "period": E(["1d", "1w", "1m", "1y", "5y"], "Period")},
  "compare {symbols} over {period}", "=How did {symbols} perform over the last {period}?",
  "show a {period} comparison of {symbols}")
T("stocks", "place_stock_order", "Place a buy or sell order for shares.",
  {"symbol": P("ticker", "Ticker"), "side": E(["buy", "sell"], "Buy or sell"),
   "shares": P("count", "Number of shares"), "limit_price": P("amount", "Limit price", True)},
  "{side} {shares} shares of {symbol}", "{side} {shares} {symbol} at a limit of {limit_price}",
  "=Could you {side} {shares} shares of {symbol} for me?")
T("stocks", "get_company_news", "Get recent news headlines about a listed company.",
  {"symbol": P("ticker", "Ticker"), "limit": P("limit", "Number of headlines", True)},
  "get news about {symbol}", "show me the top {limit} headlines on {symbol}",
  "=What's the latest news on {symbol}?")

# ---------------------------------------------------------------- maps
T("maps", "get_directions", "Get directions between two places.",
  {"origin": P("city", "Start"), "destination": P("city", "End"),
   "mode": E(["driving", "walking", "cycling", "transit"], "Travel mode", True),
   "avoid_tolls": B("Avoid toll roads")},
  "get directions from {origin} to {destination}", "=How do I get from {origin} to {destination} by {mode}?",
  "route me from {origin} to {destination} avoiding tolls || avoid_tolls=true",
  "=What's the best {mode} route from {origin} to {destination}?")
T("maps", "find_nearby", "Find places of a type near a location.",
  {"place_type": E(["pharmacy", "cafe", "atm", "gas_station", "supermarket", "hospital", "parking"], "Type"),
   "near": P("city", "Location"), "radius_km": P("km", "Search radius in km", True),
   "open_now": B("Only places open now")},
  "find a {place_type} near {near}", "=Is there a {place_type} open right now in {near}? || open_now=true",
  "look for a {place_type} within {radius_km} km of {near}", "=Where's the closest {place_type} in {near}?")
T("maps", "get_travel_time", "Estimate travel time between two places.",
  {"origin": P("city", "Start"), "destination": P("city", "End"),
   "mode": E(["driving", "walking", "cycling", "transit"], "Travel mode")},
  "=How long does it take to go from {origin} to {destination} by {mode}?",
  "estimate {mode} time from {origin} to {destination}",
  "=What's the {mode} time between {origin} and {destination}?")
T("maps", "geocode_address", "Get coordinates of a street address.",
  {"address": P("address", "Street address")},
  "get the coordinates of {address}", "=Where exactly is {address} on the map?",
  "geocode {address}")

# ---------------------------------------------------------------- music
T("music", "play_music", "Play music by song, artist or genre.",
  {"song": P("song", "Song title", True), "genre": P("genre", "Genre", True),
   "shuffle": B("Shuffle"), "volume": P("percent", "Volume 0-100", True)},
  "play {song}", "put on some {genre}", "shuffle some {genre} || shuffle=true",
  "play {song} at volume {volume}", "=Can you play a bit of {genre}?")
T("music", "create_playlist", "Create a playlist from songs.",
  {"name": P("note", "Playlist name"), "songs": P("song", "First song to add"),
   "public": B("Make the playlist public")},
  "make a playlist called '{name}' starting with {songs}",
  "create a public playlist '{name}' with {songs} || public=true",
  "=Could you start a playlist named '{name}' and add {songs}?")
T("music", "set_sleep_timer", "Stop playback after some minutes.",
  {"minutes": P("minutes", "Minutes until stop")},
  "stop the music in {minutes} minutes", "set a sleep timer for {minutes} minutes",
  "=Can the music turn off after {minutes} minutes?")
T("music", "get_lyrics", "Get the lyrics of a song.",
  {"song": P("song", "Song title")},
  "show me the lyrics of {song}", "=What are the words to {song}?", "get lyrics for {song}")

# ---------------------------------------------------------------- smart home
T("smart_home", "set_thermostat", "Set the thermostat temperature of a room.",
  {"room": P("room", "Room"), "temperature": P("celsius", "Target temperature in °C"),
   "mode": E(["heat", "cool", "auto"], "Mode", True)},
  "set the {room} to {temperature} degrees", "make the {room} {temperature}°C on {mode}",
  "=Can you heat the {room} to {temperature} degrees? || mode=\"heat\"",
  "change the {room} thermostat to {temperature}")
T("smart_home", "control_lights", "Turn lights on or off, optionally with brightness.",
  {"room": P("room", "Room"), "on": B("On (true) or off (false)"),
   "brightness": P("percent", "Brightness percent", True)},
  "turn on the lights in the {room} || on=true", "switch off the {room} lights || on=false",
  "dim the {room} lights to {brightness}% || on=true",
  "=Could you turn the {room} lights off? || on=false")
T("smart_home", "lock_door", "Lock or unlock a door.",
  {"door": E(["front", "back", "garage", "side"], "Which door"), "locked": B("Lock (true) or unlock (false)")},
  "lock the {door} door || locked=true", "unlock the {door} door || locked=false",
  "=Did I leave the {door} door open? Lock it please. || locked=true")
T("smart_home", "run_robot_vacuum", "Start the robot vacuum in rooms.",
  {"rooms": P("room", "Room to clean"), "mode": E(["quiet", "standard", "turbo"], "Suction mode", True)},
  "vacuum the {rooms}", "run the vacuum in the {rooms} on {mode}",
  "=Can the robot clean the {rooms} in {mode} mode?")
T("smart_home", "set_alarm", "Set an alarm.",
  {"time": P("time", "Alarm time HH:MM"), "label": P("note", "Label", True),
   "repeat_daily": B("Repeat every day")},
  "set an alarm for {time}", "wake me up at {time} every day || repeat_daily=true",
  "set an alarm at {time} labelled '{label}'", "=Could you set an alarm for {time}?")

# ---------------------------------------------------------------- food
T("food", "find_restaurants", "Find restaurants by cuisine in a city.",
  {"cuisine": P("cuisine", "Cuisine"), "city": P("city", "City"),
   "price_level": E(["cheap", "moderate", "expensive"], "Price level", True),
   "min_rating": P("rating", "Minimum stars", True)},
  "find {cuisine} restaurants in {city}", "=Any good {cuisine} places in {city} rated {min_rating} stars or more?",
  "look for {price_level} {cuisine} food in {city}", "=Where can I eat {cuisine} in {city}?")
T("food", "reserve_table", "Reserve a table at a restaurant.",
  {"restaurant": E(["Casa Lola", "Blue Fig", "Sakura House", "Le Petit Zinc", "Nonna's", "Spice Route"], "Restaurant"),
   "date": P("date", "Date"), "time": P("time", "Time HH:MM"), "party_size": P("guests", "People")},
  "book a table at {restaurant} for {party_size} on {date} at {time}",
  "reserve {restaurant} for {party_size} people, {date}, {time}",
  "=Can I get a table for {party_size} at {restaurant} on {date} at {time}?")
T("food", "order_food_delivery", "Order food delivery from a restaurant.",
  {"restaurant": E(["Casa Lola", "Blue Fig", "Sakura House", "Le Petit Zinc", "Nonna's", "Spice Route"], "Restaurant"),
   "dishes": P("dish", "Dish to order"), "address": P("address", "Delivery address"),
   "contactless": B("Leave at the door")},
  "order {dishes} from {restaurant} to {address}",
  "get {dishes} delivered from {restaurant} to {address}, leave it at the door || contactless=true",
  "=Could you order {dishes} from {restaurant} to {address}?")
T("food", "get_menu", "Get a restaurant's menu.",
  {"restaurant": E(["Casa Lola", "Blue Fig", "Sakura House", "Le Petit Zinc", "Nonna's", "Spice Route"], "Restaurant"),
   "vegetarian_only": B("Only vegetarian dishes")},
  "show the menu of {restaurant}", "=What vegetarian dishes does {restaurant} have? || vegetarian_only=true",
  "=What's on the menu at {restaurant}?")

# ---------------------------------------------------------------- tasks & notes
T("productivity", "create_task", "Add a task to the to-do list.",
  {"title": P("task", "What to do"), "due_date": P("date", "Due date", True),
   "priority": E(["low", "medium", "high"], "Priority", True)},
  "add '{title}' to my to-do list", "remind me to {title} by {due_date}",
  "create a {priority} priority task to {title} due {due_date}", "=Can you note that I need to {title}?")
T("productivity", "create_note", "Create a note.",
  {"title": P("note", "Title"), "content": P("message", "Text"), "tags": P("groceries", "Tags", True)},
  "make a note titled '{title}' saying \"{content}\"", "save a note '{title}': \"{content}\"",
  "=Could you jot down \"{content}\" under '{title}'?")
T("productivity", "set_reminder", "Set a reminder at a date and time.",
  {"text": P("task", "Reminder text"), "date": P("date", "Date"), "time": P("time", "Time HH:MM")},
  "remind me to {text} on {date} at {time}", "set a reminder for {date} at {time}: {text}",
  "=Can you remind me at {time} on {date} to {text}?")
T("productivity", "start_timer", "Start a countdown timer.",
  {"minutes": P("minutes", "Length in minutes"), "label": P("dish", "Label", True)},
  "start a {minutes} minute timer", "set a timer for {minutes} minutes for the {label}",
  "=Could you time {minutes} minutes for me?")

# ---------------------------------------------------------------- news & knowledge
T("news", "get_headlines", "Get top news headlines.",
  {"category": E(["world", "business", "technology", "sports", "science", "health"], "Section"),
   "country": P("country", "Country", True), "limit": P("limit", "Number of headlines", True)},
  "get the top {category} headlines", "show {limit} {category} stories from {country}",
  "=What's happening in {category} news in {country}?", "=Any {category} news today?")
T("news", "search_news", "Search news articles about a topic.",
  {"query": P("topic", "Topic"), "from_date": P("date", "Earliest date", True),
   "language": E(["en", "es", "fr", "de", "ja", "pt"], "Language code", True)},
  "search the news for {query}", "find articles on {query} since {from_date}",
  "=Is there any recent news about {query}?", "look up {language} news about {query}")
T("news", "summarize_article", "Summarise an article at a URL.",
  {"url": E(["https://news.example.com/a/8812", "https://blog.example.org/post/42",
             "https://example.net/story/ai-chips", "https://daily.example.com/2026/03/rain"], "Article URL"),
   "max_sentences": P("count", "Summary length in sentences", True)},
  "summarise {url}", "give me a {max_sentences}-sentence summary of {url}",
  "=What's the gist of {url}?")

# ---------------------------------------------------------------- language
T("language", "translate_text", "Translate text into another language.",
  {"text": P("message", "Text to translate"), "target_language": P("language", "Target language"),
   "formal": B("Use a formal register")},
  "translate \"{text}\" into {target_language}", "=How do you say \"{text}\" in {target_language}?",
  "translate \"{text}\" to formal {target_language} || formal=true",
  "=What is \"{text}\" in {target_language}?")
T("language", "define_word", "Look up a word in the dictionary.",
  {"word": E(["serendipity", "ephemeral", "ubiquitous", "resilience", "candor", "quixotic", "hygge"], "Word"),
   "include_examples": B("Include example sentences")},
  "define {word}", "=What does {word} mean?",
  "look up {word} with some example sentences || include_examples=true")
T("language", "detect_language", "Detect the language of a text.",
  {"text": E(["Où est la gare ?", "¿Dónde está el baño?", "Danke schön", "ありがとう", "Obrigado pela ajuda",
              "Dziękuję bardzo"], "Text")},
  "=What language is \"{text}\"?", "detect the language of \"{text}\"", "identify the language in \"{text}\"")

# ---------------------------------------------------------------- movies
T("movies", "find_showtimes", "Find cinema showtimes for a movie in a city.",
  {"movie": P("movie", "Title"), "city": P("city", "City"), "date": P("date", "Date", True)},
  "find showtimes for {movie} in {city}", "=When is {movie} playing in {city} on {date}?",
  "=Where can I see {movie} in {city}?")
T("movies", "buy_movie_tickets", "Buy cinema tickets.",
  {"movie": P("movie", "Title"), "city": P("city", "City"), "date": P("date", "Date"),
   "time": P("time", "Showtime"), "tickets": P("guests", "Number of tickets")},
  "buy {tickets} tickets for {movie} in {city} on {date} at {time}",
  "get me {tickets} seats for {movie}, {city}, {date}, {time}",
  "=Can you book {tickets} tickets to {movie} in {city} on {date} at {time}?")
T("movies", "get_movie_info", "Get details about a movie.",
  {"title": P("movie", "Title"), "include_cast": B("Include the cast list")},
  "tell me about {title}", "=Who is in {title}? || include_cast=true", "get details on {title}")

# ---------------------------------------------------------------- fitness (held-out domain)
T("fitness", "log_workout", "Log a workout session.",
  {"activity": P("exercise", "Activity"), "duration_minutes": P("minutes", "Minutes"),
   "distance_km": P("km", "Distance in km", True), "date": P("date", "Date", True)},
  "log {duration_minutes} minutes of {activity}", "record a {distance_km} km {activity} session of {duration_minutes} minutes",
  "=Can you log my {activity} on {date}, {duration_minutes} minutes?")
T("fitness", "get_step_count", "Get the step count for a date.",
  {"date": P("date", "Date")},
  "=How many steps did I walk on {date}?", "show my step count for {date}", "get steps for {date}")
T("fitness", "log_weight", "Log body weight.",
  {"weight_kg": P("body_kg", "Weight in kg"), "date": P("date", "Date", True)},
  "log my weight as {weight_kg} kg", "record {weight_kg} kg for {date}", "=Could you note that I weigh {weight_kg} kg?")
T("fitness", "find_fitness_class", "Find fitness classes in a city.",
  {"activity": P("exercise", "Activity"), "city": P("city", "City"), "date": P("date", "Date", True)},
  "find a {activity} class in {city}", "=Are there {activity} classes in {city} on {date}?",
  "look up {activity} classes in {city} on {date}")

# ---------------------------------------------------------------- recipes (held-out domain)
T("recipes", "search_recipes", "Search recipes by ingredients.",
  {"ingredients": P("ingredients", "Ingredients to use"), "max_minutes": P("minutes", "Max cooking time", True),
   "diet": E(["vegetarian", "vegan", "gluten_free", "none"], "Diet", True)},
  "find a recipe with {ingredients}", "=What can I cook with {ingredients} in under {max_minutes} minutes?",
  "search {diet} recipes using {ingredients}")
T("recipes", "get_recipe", "Get the full recipe for a dish.",
  {"dish": P("dish", "Dish"), "servings": P("guests", "Servings", True)},
  "get the recipe for {dish}", "=How do I make {dish} for {servings} people?", "show me how to cook {dish}")
T("recipes", "convert_units", "Convert a cooking quantity between units.",
  {"quantity": P("kg", "Amount"), "from_unit": E(["cups", "grams", "ounces", "tablespoons", "ml"], "From"),
   "to_unit": E(["cups", "grams", "ounces", "tablespoons", "ml"], "To")},
  "convert {quantity} {from_unit} to {to_unit}", "=How many {to_unit} is {quantity} {from_unit}?",
  "=What's {quantity} {from_unit} in {to_unit}?")
T("recipes", "create_meal_plan", "Create a weekly meal plan.",
  {"days": P("count", "Number of days"), "diet": E(["vegetarian", "vegan", "gluten_free", "none"], "Diet"),
   "avoid": P("ingredients", "Ingredients to avoid", True)},
  "make a {days}-day {diet} meal plan", "plan {days} days of {diet} meals without {avoid}",
  "=Could you put together a {diet} meal plan for {days} days?")

# ---------------------------------------------------------------- real estate (held-out domain)
T("real_estate", "search_listings", "Search homes for sale or rent.",
  {"city": P("city", "City"), "listing_type": E(["sale", "rent"], "For sale or rent"),
   "bedrooms": P("count", "Minimum bedrooms", True), "price_range": P("price_range", "Price bounds (thousands)", True),
   "neighborhood": P("neighborhood", "Neighbourhood", True)},
  "find homes for {listing_type} in {city}", "search {bedrooms}-bedroom places for {listing_type} in {city}",
  "=Anything for {listing_type} in {neighborhood}, {city} priced {price_range}?")
T("real_estate", "estimate_home_value", "Estimate the market value of a home.",
  {"address": P("address", "Address"), "bedrooms": P("count", "Bedrooms", True)},
  "estimate the value of {address}", "=What's {address} worth with {bedrooms} bedrooms?",
  "=How much could I sell {address} for?")
T("real_estate", "schedule_viewing", "Schedule a viewing of a property.",
  {"address": P("address", "Address"), "date": P("date", "Date"), "time": P("time", "Time")},
  "book a viewing of {address} on {date} at {time}", "=Can I see {address} on {date} at {time}?",
  "schedule a visit to {address} on {date} at {time}")
T("real_estate", "calculate_mortgage", "Calculate a monthly mortgage payment.",
  {"principal": P("amount", "Loan amount"), "annual_rate": P("kg", "Interest rate percent"),
   "years": P("nights", "Term in years")},
  "calculate the mortgage on {principal} at {annual_rate}% over {years} years",
  "=What's the monthly payment on a {principal} loan at {annual_rate}% for {years} years?",
  "work out payments for {principal} at {annual_rate} percent, {years} years")

# More ways to say the same thing, including terse ones. They go before each tool's last
# phrasing, so the held-out phrasing stays the same.
MORE_PHRASINGS = {
    "get_sunrise_sunset": ["=Sunrise {city}, {date}?", "=I'm planning a photo walk in {city} on {date}. Can you get me sunrise and sunset?"],
    "get_flight_status": ["={flight_number} status?", "see whether {flight_number} is delayed"],
    "rent_car": ["=Car rental {city}, {pickup_date}, {days} days?", "=I'll need wheels in {city} from {pickup_date}. Please reserve a car for {days} days."],
    "get_visa_requirements": ["=Visa for {destination} with a {citizenship} passport?", "find out if I, a {citizenship} citizen, need a visa to visit {destination}"],
    "cancel_event": ["delete the '{title}' event on {date}", "='{title}' on {date} is off, can you cancel it?"],
    "find_free_slot": ["=Free {duration_minutes} min on {date}?", "check when I have {duration_minutes} minutes open on {date}"],
    "send_text_message": ["shoot a text to {phone_number} that says \"{message}\"", "=SMS to {phone_number}: \"{message}\""],
    "add_to_cart": ["={product} to cart?", "=I'll take the {product}. Add {quantity} to the cart, please."],
    "track_order": ["=Status of {order_id}?", "find out where order {order_id} is"],
    "place_grocery_order": ["=Groceries from {store_city}: {items}?", "=I'm out of food. Can you order {items} from {store_city} for {delivery_date}?"],
    "return_item": ["=Return {order_id}, {reason}?", "process a return on order {order_id} with reason {reason}"],
    "get_account_balance": ["={account} balance?", "check how much I have in {account}"],
    "list_transactions": ["=Recent {account} transactions?", "pull up my {account} activity since {since}"],
    "split_bill": ["=Split {total} for {people}?", "divide a {total} check among {people} of us"],
    "compare_stocks": ["=Compare {symbols}, {period}?", "=I want to see how {symbols} did over {period}."],
    "place_stock_order": ["=Can I {side} {shares} {symbol}?", "submit an order to {side} {shares} shares of {symbol} with a {limit_price} limit"],
    "get_company_news": ["=News on {symbol}?", "catch me up on {symbol} with {limit} headlines"],
    "get_travel_time": ["=Time {origin} to {destination} by {mode}?", "figure out how long the {mode} trip from {origin} to {destination} takes"],
    "geocode_address": ["=Coordinates for {address}?", "find the latitude and longitude of {address}"],
    "create_playlist": ["=New playlist '{name}' with {songs}?", "set up a playlist named '{name}' and put {songs} on it"],
    "set_sleep_timer": ["=Sleep timer {minutes} min?", "turn the music off after {minutes} minutes"],
    "get_lyrics": ["=Lyrics for {song}?", "=I want to sing along to {song}. Can you find the lyrics?"],
    "lock_door": ["=Lock {door} door? || locked=true", "make sure the {door} door is locked || locked=true"],
    "run_robot_vacuum": ["=Vacuum {rooms}?", "=There's dust in the {rooms}. Send the robot vacuum there on {mode}."],
    "reserve_table": ["=Table for {party_size} at {restaurant}, {date} {time}?", "=We'd like to eat at {restaurant} on {date} at {time}. Can you get us a table for {party_size}?"],
    "order_food_delivery": ["=Deliver {dishes} from {restaurant} to {address}?", "=I'm hungry. Have {restaurant} bring {dishes} to {address}."],
    "get_menu": ["={restaurant} menu?", "pull up what {restaurant} serves"],
    "create_note": ["=Note '{title}': \"{content}\"", "write down \"{content}\" in a note called '{title}'"],
    "set_reminder": ["=Reminder {date} {time}: {text}?", "=Don't let me forget to {text}. Remind me {date} at {time}."],
    "start_timer": ["=Timer {minutes} min?", "count down {minutes} minutes for the {label}"],
    "summarize_article": ["=Summary of {url}?", "boil {url} down to {max_sentences} sentences"],
    "define_word": ["=Meaning of {word}?", "explain the word {word} with examples || include_examples=true"],
    "detect_language": ["=Which language: \"{text}\"?", "tell me which language \"{text}\" is written in"],
    "find_showtimes": ["=Showtimes {movie}, {city}?", "check when {movie} screens in {city} on {date}"],
    "buy_movie_tickets": ["={tickets} tickets, {movie}, {city}, {date} {time}?", "grab {tickets} tickets for the {time} showing of {movie} in {city} on {date}"],
    "get_movie_info": ["=Info on {title}?", "look up {title} and who stars in it || include_cast=true"],
}

for _i, _tool in enumerate(TOOLS):
    if _tool.name in MORE_PHRASINGS:
        _more = tuple(MORE_PHRASINGS[_tool.name])
        TOOLS[_i] = Tool(_tool.domain, _tool.name, _tool.description, _tool.params,
                         _tool.phrasings[:-1] + _more + _tool.phrasings[-1:])

HELD_OUT_DOMAINS = ("fitness", "recipes", "real_estate")

# Multi-turn chains: the follow-up reuses a value from the first call's result.
CHAINS = [
    {"first": "search_flights", "then": "book_flight_by_id",
     "result": lambda rng, a: {"flights": [{"flight_id": f"{a['origin']}{rng.randint(100, 999)}",
                                            "departs": "08:40", "price": rng.randint(90, 900)}]},
     "carry": {"flight_id": ("flights", 0, "flight_id")},
     "phrasings": ("book the first one for {passenger_name}", "=Great, can you reserve that flight for {passenger_name}?")},
    {"first": "find_restaurants", "then": "reserve_table",
     "result": lambda rng, a: {"restaurants": [{"name": "Blue Fig", "rating": 4.6}]},
     "carry": {"restaurant": ("restaurants", 0, "name")},
     "phrasings": ("book it for {party_size} on {date} at {time}", "=Nice, get us a table there for {party_size} on {date} at {time}?")},
    {"first": "get_stock_quote", "then": "place_stock_order",
     "result": lambda rng, a: {"symbol": a["symbol"], "price": round(rng.uniform(20, 900), 2)},
     "carry": {"symbol": ("symbol",)},
     "phrasings": ("{side} {shares} shares of it", "=OK, {side} {shares} of those please?")},
    {"first": "search_products", "then": "add_to_cart",
     "result": lambda rng, a: {"results": [{"product": a["query"], "price": rng.randint(15, 400)}]},
     "carry": {"product": ("results", 0, "product")},
     "phrasings": ("add {quantity} of those to my cart", "=Perfect, put {quantity} in the cart?")},
]

CHAINS += [
    {"first": "find_free_slot", "then": "create_event",
     "result": lambda rng, a: {"date": a["date"], "free_slots": [
         {"start": f"{rng.randint(8, 16):02d}:{rng.choice(['00', '30'])}", "minutes": a["duration_minutes"]}]},
     "carry": {"date": ("date",), "start_time": ("free_slots", 0, "start")},
     "phrasings": ("book '{title}' in the first free slot", "=Great, put '{title}' in that slot?")},
    {"first": "list_events", "then": "cancel_event",
     "result": lambda rng, a: {"date": a["date"], "events": [
         {"title": rng.choice(TASKS), "start": f"{rng.randint(8, 18):02d}:00"}]},
     "carry": {"title": ("events", 0, "title"), "date": ("date",)},
     "phrasings": ("cancel the first one", "=Please drop that first event?")},
    {"first": "find_showtimes", "then": "buy_movie_tickets",
     "result": lambda rng, a: {"movie": a["movie"], "city": a["city"],
                               "date": a.get("date", f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"),
                               "showtimes": [f"{rng.randint(12, 22):02d}:{rng.choice(['00', '15', '45'])}"]},
     "carry": {"movie": ("movie",), "city": ("city",), "date": ("date",), "time": ("showtimes", 0)},
     "phrasings": ("get {tickets} tickets for the first showing", "=Book {tickets} seats for that first show?")},
    {"first": "convert_currency", "then": "transfer_money",
     "result": lambda rng, a: {"amount": round(a["amount"] * rng.uniform(0.5, 1.5), 2),
                               "currency": a["to_currency"]},
     "carry": {"amount": ("amount",), "currency": ("currency",)},
     "phrasings": ("send that amount to {recipient}", "=Now transfer exactly that to {recipient}?")},
    {"first": "search_inbox", "then": "send_email",
     "result": lambda rng, a: {"emails": [{"from": f"{rng.choice([n for n in FIRST if n.isascii()]).lower()}@example.com",
                                           "subject": f"Re: {a['query']}"}]},
     "carry": {"to": ("emails", 0, "from"), "subject": ("emails", 0, "subject")},
     "phrasings": ("reply to the first one saying \"{body}\"", "=Answer that email with \"{body}\"?")},
]

EXTRA_TOOLS = [  # tools used only as chain follow-ups (not sampled alone)
    Tool("travel", "book_flight_by_id", "Book a flight found by search, by its id.",
         {"flight_id": P("note", "Flight id from search results"),
          "passenger_name": P("person", "Passenger full name")}, ()),
]
