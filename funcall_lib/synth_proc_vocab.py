"""Vocabulary of the procedural tool family (`synth_proc.py`): fields, concepts, value pools.

One concept line per tool idea, in a small notation so hundreds of tools stay readable:

    "verb stem | what a person calls it | description | param | param ..."

and each param is `[?]name:type[=default] "phrase"` (a "$" or "%" around `{}` is not copied) where `?` marks it optional (its default is
said in the description), the phrase is how a request mentions it (`{}` is the value), and type is
  n:LO:HI       number (sometimes whole, sometimes with decimals: "2.5" -> 2.5)
  i:LO:HI       integer
  s:POOL        string from a pool below
  e:a/b/c       enum (the phrase names the value verbatim; "mi~miles" is said "miles", sent "mi"; "_" in a said form is a space);
                with the phrase "+{}" it is attached: said right after the number param before it
                ("a radius of 4 inches" -> radius 4, unit "in"), which must be an n/i phrase ending in {}
  b             optional boolean; the phrase is "said when true/said when false" ("including tax/excluding tax")
  B             required boolean, phrased the same way
  f:LO:HI       a rate said in percent ("5%") that the tool takes as a fraction (0.05)
  m:LO:HI       a large whole number said with a magnitude word ("2.5 million") or separators
  u:UNIT:LO:HI  a quantity in UNIT (a symbol of synth_values.UNITS) said in it or another metric unit
  d:LAYOUT      a date said in words ("March 5, 2021"), sent in a layout (iso, us, eu, usslash)
  an:LO:HI      array of 3-6 numbers
  as:POOL       array of 2-4 strings from a pool
  o:k1,k2:LO:HI object of numbers {k1, k2}; the phrase names each key as {k1} {k2}
A pool item written "said|value" is said one way and sent another ("Denver|Denver, CO"); such pools
have a POOL_NOTES line that the parameter description carries. Every concept becomes two tools (a second verb, its optional parameters dropped), never offered
together. The fields in HELD_OUT_FIELDS are only in test_unseen_tools, and their stems are
disjoint from the other fields' (a test checks it).
"""

from __future__ import annotations

# Held out: none is a hand-written domain, and no train field's tool resembles a hand-written
# held-out tool (no unit converter for recipes, no mortgage-like loan payment).
HELD_OUT_FIELDS = ("astronomy", "music_theory", "law", "ecology")

VERB_ALT = {"calculate": "compute", "compute": "calculate", "get": "fetch", "find": "search",
            "estimate": "predict", "convert": "transform", "check": "verify", "predict": "estimate",
            "count": "tally", "list": "get", "analyze": "evaluate", "generate": "create",
            "simulate": "model", "score": "rate", "plan": "schedule", "rank": "sort", "lookup": "query",
            "sort": "order", "solve": "compute", "balance": "compute", "format": "prettify",
            "translate": "decode", "scale": "resize", "transpose": "shift", "compare": "rank"}

FIELDS: dict[str, list[str]] = {
    "geometry": [
        'calculate triangle_area | the area of a triangle | Calculate the area of a triangle from its base and height. | base:n:1:80 "a base of {}" | height:n:1:80 "a height of {}" | ?unit:e:cm~centimeters/m~meters/in~inches=cm "in {}"',
        'calculate circle_circumference | the circumference of a circle | Calculate the circumference of a circle from its radius. The radius and the result are in one unit. | radius:n:1:60 "a radius of {}" | ?unit:e:cm~centimeters/in~inches/m~meters=cm "+{}"',
        'calculate sphere_volume | the volume of a sphere | Calculate the volume of a sphere of a given radius. | radius:n:1:40 "a radius of {}" | ?unit:e:cm~centimeters/in~inches/m~meters=cm "+{}" | ?precision:i:1:6=2 "rounded to {} decimals"',
        'calculate hypotenuse | the hypotenuse of a right triangle | Calculate the hypotenuse of a right triangle from its two legs. Both legs and the result are in one unit. | leg_a:n:1:50 "one leg of {}" | leg_b:n:1:50 "the other leg of {}" | ?unit:e:cm~centimeters/in~inches/ft~feet=cm "+{}"',
        'calculate polygon_perimeter | the perimeter of a polygon | Sum the side lengths of a polygon. | sides:an:1:30 "sides {}"',
        'calculate point_distance | the distance between two points | Euclidean distance between two 2D points. Optionally Manhattan or Chebyshev distance. | point_a:o:x,y:-50:50 "the point ({x}, {y})" | point_b:o:x,y:-50:50 "the point ({x}, {y})" | ?metric:e:euclidean~Euclidean/manhattan~Manhattan/chebyshev~Chebyshev=euclidean "using the {} metric"',
        'calculate cylinder_surface_area | the surface area of a cylinder | Calculate the total surface area of a cylinder. Optionally the curved side only. | radius:n:1:30 "a radius of {}" | height:n:1:60 "a height of {}" | ?unit:e:cm~centimeters/in~inches/m~meters=cm "+{}" | ?lateral_only:b "for the curved side only/including both ends"',
        'calculate circles_total_area | the combined area of several circles | Sum of the areas of circles with the given radii, in square units. | radii:an:1:50 "with radii of {}" | unit:e:cm/m/mm "in {}"',
    ],
    "physics": [
        'calculate kinetic_energy | the kinetic energy of an object | Kinetic energy from mass (kg) and velocity (m/s). Result in joules or kilojoules. | mass:n:1:500 "a mass of {} kg" | velocity:n:1:90 "moving at {} m/s" | ?unit:e:J~joules/kJ~kilojoules=J "in {}"',
        'calculate final_velocity | the final velocity of an accelerating object | Final velocity from initial velocity, acceleration and time. | initial_velocity:n:0:40 "an initial velocity of {} m/s" | acceleration:n:1:15 "an acceleration of {} m/s^2" | time:n:1:30 "after {} seconds" | ?decimals:i:2:4=2 "rounded to {} decimals"',
        'calculate electric_force | the electrostatic force between two charges | Coulomb force between two point charges. | charge_1:n:1:20 "a first charge of {} microcoulombs" | charge_2:n:1:20 "a second charge of {} microcoulombs" | distance:n:1:10 "{} meters apart" | ?medium:e:vacuum/air/water=vacuum "in {}"',
        'calculate wave_frequency | the frequency of a wave | Frequency from wave speed and wavelength. | speed:n:100:3000 "a speed of {} m/s" | wavelength:n:1:50 "a wavelength of {} m"',
        'calculate pendulum_period | the period of a pendulum | Period of a simple pendulum from its length. | length:n:1:20 "a length of {} m" | ?gravity:n:1:25=9.81 "with gravity {}"',
        'calculate projectile_range | the range of a projectile | Horizontal range of a projectile on flat ground. Optionally with air resistance. | speed:n:5:80 "a launch speed of {} m/s" | angle:i:5:85 "an angle of {} degrees" | ?air_resistance:b "with air resistance/ignoring air resistance"',
        'calculate ohms_law_current | the current through a resistor | Current from voltage and resistance (Ohm\'s law). Result in amperes or milliamperes. | voltage:n:1:240 "{} volts" | resistance:n:1:1000 "a resistance of {} ohms" | ?unit:e:A~amperes/mA~milliamperes=A "in {}"',
        'calculate series_resistance | the total resistance of resistors in series | Equivalent resistance of resistors connected in series. | resistances:an:1:1000 "resistances of {} ohms"',
        'calculate inductive_reactance | the reactance of an inductor | Reactance of an inductor at a frequency. | inductance:u:H:0.001:10 "an inductance of {}" | frequency:u:Hz:1:10000000 "at {}"',
        'calculate capacitor_energy | the energy stored in a capacitor | Energy stored in a charged capacitor. | capacitance:u:µF:1:100000 "a capacitance of {}" | voltage:u:V:1:5000 "charged to {}"',
        'calculate spring_energy | the energy stored in a spring | Elastic potential energy of a stretched spring. | spring_constant:n:10:5000 "a spring constant of {} N/m" | displacement:u:m:0.001:2 "stretched by {}"',
        'calculate electrical_power | the power drawn by a circuit | Power from current and voltage. Optionally for a three-phase circuit. | current:u:A:0.001:100 "a current of {}" | voltage:u:V:1:1000 "at {}" | ?phase:e:single/three=single "in a {}-phase circuit"',
    ],
    "chemistry": [
        'calculate molar_mass | the molar mass of a compound | Molar mass of a chemical formula in g/mol. | formula:s:FORMULAS "the compound {}" | ?decimals:i:2:5=2 "rounded to {} decimals"',
        'get element_properties | the properties of a chemical element | Atomic number, mass and group of an element. | element:s:ELEMENTS "the element {}" | ?include_isotopes:b "with its isotopes/without isotopes"',
        'calculate solution_molarity | the molarity of a solution | Molarity from moles of solute and litres of solution. | moles:n:0:10 "{} moles of solute" | volume:n:0:5 "{} liters of solution"',
        'calculate ph_value | the pH of a solution | pH from hydrogen ion concentration. | concentration:n:0:1 "a hydrogen ion concentration of {} mol/L"',
        'calculate gas_pressure | the pressure of an ideal gas | Ideal gas pressure from moles, temperature and volume. Result in a chosen pressure unit. | moles:n:1:10 "{} moles" | temperature:n:200:600 "a temperature of {} K" | volume:n:1:50 "a volume of {} liters" | ?unit:e:atm~atmospheres/kPa~kilopascals/bar=atm "in {}"',
        'balance chemical_equation | a chemical equation | Balance a chemical equation given as text. | equation:s:EQUATIONS "the equation {}" | ?state_symbols:b "with state symbols/without state symbols"',
        'get compound_solubility | the solubility | Solubility in water (g/100 mL) of several compounds at a temperature. | compounds:as:FORMULAS "of {}" | ?temperature:i:0:100=25 "at {} C"',
        'calculate compound_mass | the mass of an amount of a compound | Mass in grams of a number of moles of a compound. | compound:s:COMPOUND_NAMES "of {}" | moles:n:0:20 "for {} moles"',
        'get compound_hazards | the safety hazards of a chemical | GHS hazard statements of a compound. | formula:s:COMPOUND_NAMES "of {}" | ?precautions:b "including precautionary statements/excluding precautionary statements"',
        'calculate sample_density | the density of a sample | Density from mass and volume. | mass:u:kg:0.001:500 "a mass of {}" | volume:u:L:0.001:100 "a volume of {}"',
    ],
    "finance": [
        'calculate compound_interest | the compound interest on a deposit | Final balance of a deposit with compound interest. | principal:n:500:50000 "a principal of ${}" | rate:n:1:12 "an annual rate of {}%" | years:i:1:30 "over {} years" | ?compounds_per_year:i:1:12=1 "compounded {} times a year"',
        'calculate break_even_point | the break-even point | Units to sell to cover fixed costs. | fixed_costs:n:1000:90000 "fixed costs of ${}" | unit_price:n:5:500 "a unit price of ${}" | unit_cost:n:1:300 "a variable cost of ${} per unit"',
        'calculate return_on_investment | the return on an investment | Percentage return from cost and final value. Annualized over a holding period. | cost:n:100:20000 "a cost of ${}" | final_value:n:100:30000 "a final value of {}" | ?holding_years:i:1:30=1 "over a holding period of {} years"',
        'calculate sales_tax | the sales tax on a purchase | Tax owed on a price at a tax rate. | price:n:5:3000 "a price of ${}" | tax_rate:n:1:25 "a tax rate of {}%" | ?include_total:b "including the total/excluding the total"',
        'get stock_dividend | the dividend history of a stock | Dividends paid by a stock over a number of years. | ticker:s:TICKERS "the stock {}" | years:i:1:10 "for the last {} years" | ?include_special:b "including special dividends/excluding special dividends"',
        'calculate net_present_value | the net present value of cash flows | NPV of yearly cash flows at a discount rate. | cash_flows:an:-5000:9000 "cash flows of {}" | discount_rate:f:1:15 "a discount rate of {}" | ?timing:e:end/beginning=end "with payments at the {} of each year"',
        'convert currency_amount | an amount of money | Convert an amount between two currencies. | amount:n:1:10000 "{}" | from_currency:s:CURRENCIES "from {}" | to_currency:s:CURRENCIES "to {}"',
        'calculate stock_correlation | the price correlation between stocks | Pairwise correlation of daily returns for a list of tickers. | tickers:as:TICKERS "for the tickers {}" | ?years:i:1:10=3 "over the last {} years"',
        'get dollar_exchange_rates | the US dollar exchange rate | Exchange rates of the US dollar against a list of currencies. | currencies:as:QUOTE_CURRENCIES "for {}" | ?rate_type:e:mid~mid-market/buy~buying/sell~selling=mid "at the {} rate"',
        'calculate inflation_adjusted_value | the inflation-adjusted value of an amount | Value of an amount after years of inflation. | amount:n:100:100000 "an amount of ${}" | inflation_rate:f:1:12 "an inflation rate of {}" | years:i:1:40 "over {} years"',
        'calculate asset_depreciation | the depreciated value of an asset | Book value after declining-balance depreciation. Optionally straight-line. | purchase_price:n:500:200000 "a purchase price of ${}" | depreciation_rate:f:5:40 "a yearly depreciation rate of {}" | years:i:1:20 "after {} years" | ?method:e:declining_balance~declining-balance/straight_line~straight-line=declining_balance "using the {} method"',
        'get stock_quote | the latest stock quote | Latest price and daily change of a listed company. | symbol:s:COMPANY_TICKERS "for {}" | ?include_volume:b "with the trading volume/without the volume"',
        'get earnings_report | the earnings report | Quarterly earnings of a listed company. | ticker:s:COMPANY_TICKERS "of {}" | quarter:e:Q1/Q2/Q3/Q4 "for {}" | year:i:2015:2025 "of {}" | ?include_guidance:b "with forward guidance/without guidance"',
        'calculate price_to_earnings | the price-to-earnings ratio of a company | P/E ratio from market capitalisation and yearly net income. | market_cap:m:1000000:3000000000000 "a market cap of ${}" | net_income:m:100000:100000000000 "a net income of ${}"',
        'calculate dividend_income | the yearly dividend income | Yearly dividend income from an investment and a dividend yield. | investment:n:1000:500000 "an investment of ${}" | dividend_yield:f:1:9 "a dividend yield of {}"',
        'calculate sale_price | the price after a discount | Sale price after a percentage discount. | price:n:5:2000 "a price of ${}" | discount:f:5:70 "a discount of {}" | ?round_to:e:cent/dollar=cent "rounded to the nearest {}"',
        'get company_profile | the company profile | Sector, headquarters and size of a company. | company:s:COMPANY_NAMES "of {}"',
        'get chief_executive | the chief executive | Name and tenure of the chief executive of a company. | company:s:COMPANY_NAMES "of {}"',
    ],
    "statistics": [
        'calculate mean_value | the mean of a list of numbers | Arithmetic mean of numbers. Optionally the geometric or harmonic mean. | numbers:an:0:100 "the numbers {}" | ?kind:e:arithmetic/geometric/harmonic=arithmetic "as the {} mean"',
        'calculate standard_deviation | the standard deviation of a dataset | Standard deviation of numbers. | data:an:0:200 "the data {}" | ?sample:b "as a sample/as a population"',
        'calculate binomial_probability | the binomial probability of an outcome | Probability of exactly k successes in n trials. Optionally cumulative (at most k successes). | trials:i:2:50 "{} trials" | successes:i:0:20 "{} successes" | probability:n:0:1 "a success probability of {}" | ?cumulative:b "as a cumulative probability/as an exact probability"',
        'calculate z_score | the z-score of a value | Z-score of a value given a mean and standard deviation. | value:n:0:200 "a value of {}" | mean:n:0:150 "a mean of {}" | std_dev:n:1:30 "a standard deviation of {}"',
        'calculate correlation_coefficient | the correlation between two series | Pearson correlation between two lists of numbers. Optionally Spearman or Kendall. | x_values:an:0:50 "x values {}" | y_values:an:0:50 "y values {}" | ?method:e:pearson~Pearson/spearman~Spearman/kendall~Kendall=pearson "using the {} method"',
        'calculate confidence_interval | a confidence interval for a mean | Confidence interval from sample mean, std dev and size. | sample_mean:n:0:100 "a sample mean of {}" | sample_std:n:1:20 "a standard deviation of {}" | sample_size:i:5:500 "a sample size of {}" | ?confidence:e:0.9/0.95/0.99=0.95 "at confidence level {}"',
        'calculate median_value | the median | Median of a list of numbers. | numbers:an:0:100 "of {}"',
        'calculate moving_average | a moving average | Simple moving average of a series over a window. | values:an:0:300 "for the values {}" | window:i:2:5 "over a window of {}"',
        'calculate expected_value | the expected value of a bet | Expected value from a win probability, a payout and a stake. | win_probability:f:1:99 "a win chance of {}" | payout:n:1:1000 "a payout of ${}" | stake:n:1:500 "a stake of ${}"',
    ],
    "biology": [
        'get gene_sequence | the DNA sequence of a gene | Fetch the nucleotide sequence of a gene for a species. | gene:s:GENES "the gene {}" | species:s:SPECIES "in {}" | ?format:e:fasta~FASTA/genbank~GenBank=fasta "in {} format"',
        'calculate population_growth | the projected size of a population | Exponential population growth. Optionally logistic growth. | initial_population:i:10:10000 "an initial population of {}" | growth_rate:f:1:30 "a growth rate of {}" | years:i:1:50 "after {} years" | ?model:e:exponential/logistic=exponential "using the {} model"',
        'get species_info | information about a species | Taxonomy and habitat of a species. | species:s:SPECIES "the species {}" | include_range:B "including its range/without its range"',
        'calculate gc_content | the GC content of a DNA sequence | Fraction of G and C bases in a sequence. Optionally as a percentage. | sequence:s:DNA "the sequence {}" | ?as_percent:b "as a percentage/as a fraction"',
        'translate dna_sequence | a DNA sequence into protein | Translate a DNA sequence into amino acids. | sequence:s:DNA "the sequence {}" | ?reading_frame:i:1:3=1 "in reading frame {}"',
        'count cell_divisions | the number of cells after mitosis | Cells produced after a number of divisions. | start_cells:i:1:100 "starting from {} cells" | divisions:i:1:20 "after {} divisions"',
        'get gene_expression | the expression level | Expression levels of several genes in one tissue. | genes:as:GENES "of {}" | tissue:e:liver/brain/heart/lung/kidney "in the {}"',
    ],
    "geography": [
        'get country_capital | the capital | Capital city of a country. | country:s:COUNTRIES "of {}"',
        'get country_population | the population | Population of a country in a year. | country:s:COUNTRIES "of {}" | year:i:1950:2025 "in {}"',
        'calculate city_distance | the distance between two cities | Great-circle distance between two cities. | city_a:s:CITIES "from {}" | city_b:s:CITIES "to {}" | ?unit:e:km~kilometers/mi~miles=km "in {}"',
        'get time_zone | the time zone | IANA time zone of a city. | city:s:CITIES "of {}" | ?include_offset:b "with its current UTC offset/without the offset"',
        'find highest_peak | the highest mountain | Highest peak of a country and its elevation. | country:s:COUNTRIES "in {}" | ?unit:e:m~meters/ft~feet=m "with the elevation in {}"',
        'get river_length | the length of a river | Length of a river in kilometres. | river:s:RIVERS "the {}"',
        'compare country_gdp | the GDP | GDP of several countries in one year, side by side. | countries:as:COUNTRIES "of {}" | year:i:1990:2024 "in {}" | ?per_capita:b "as GDP per capita/as total GDP"',
        'get public_holidays | the public holidays | Public holidays of a country in a year. | country_code:s:COUNTRY_CODES "in {}" | year:i:2020:2027 "for {}" | ?include_regional:b "including regional holidays/excluding regional holidays"',
        'calculate gdp_per_capita | the GDP per capita of a country | GDP per person from total GDP and population. | gdp:m:1000000000:30000000000000 "a GDP of ${}" | population:m:100000:1500000000 "a population of {}"',
    ],
    "sports": [
        'get team_standings | the league standings | Current standing of a team in its league. | team:s:TEAMS "of {}" | ?season:i:2015:2025=2025 "in the {} season"',
        'get player_stats | the statistics | Season statistics of a player. | player:s:PLAYERS "of {}" | season:i:2010:2025 "for the {} season" | ?include_playoffs:b "including playoffs/excluding playoffs"',
        'get match_schedule | the upcoming matches | Next matches of a team. | team:s:TEAMS "of {}" | count:i:1:10 "the next {} matches" | ?home_only:b "for home games only/for home and away games"',
        'calculate batting_average | a batting average | Batting average from hits and at-bats. | hits:i:10:200 "{} hits" | at_bats:i:50:600 "{} at-bats" | ?decimals:i:2:4=3 "rounded to {} decimals"',
        'calculate race_pace | the pace needed for a race | Pace per kilometre to finish a distance in a target time. | distance_km:n:1:42 "a distance of {} km" | target_minutes:i:10:300 "in {} minutes"',
        'get head_to_head | the head-to-head record of two teams | Past results between two teams. | team_a:s:TEAMS "{}" | team_b:s:TEAMS "{}" | ?last_meetings:i:3:20=10 "over the last {} meetings"',
        'get injury_report | the injury report | Currently injured players of one or more teams. | teams:as:TEAMS "for {}"',
        'get match_results | the match results of a team | Results of a team on a date. | team:s:TEAMS "of {}" | date:d:eu "on {}"',
    ],
    "cooking": [
        'calculate dough_hydration | the hydration of a dough | Water as a percentage of flour weight. | flour_grams:i:100:2000 "{} g of flour" | water_grams:i:50:1500 "{} g of water"',
        'scale serving_size | a dish | Scale the ingredient amounts of a dish to a new serving count. | dish:s:DISHES "the {}" | servings:i:1:20 "for {} servings" | ?unit_system:e:metric/imperial=metric "in {} units"',
        'estimate baking_time | the baking time for a dish | Baking time from dish, weight and oven temperature. | dish:s:DISHES "{}" | weight_kg:n:0:5 "weighing {} kg" | ?convection:b "in a convection oven/in a regular oven"',
        'find ingredient_substitute | a substitute for an ingredient | Suggest substitutes for an ingredient. | ingredient:s:INGREDIENTS "{}" | ?diet:e:vegan/gluten_free/keto=vegan "for a {} diet"',
        'calculate meal_calories | the calories in a meal | Total calories of a list of ingredients. | ingredients:as:INGREDIENTS "made of {}"',
        'calculate pizza_price | the price of a pizza | Price of a pizza from its toppings and size. | toppings:as:TOPPINGS "with the toppings {}" | ?size:e:small/medium/large=medium "in a {} size"',
        'find pantry_dishes | a dish I can cook | Dishes that use all the given ingredients. | ingredients:as:INGREDIENTS "with {}" | ?max_minutes:i:10:120 "in under {} minutes"',
    ],
    "travel": [
        'estimate trip_budget | a budget for a trip | Estimated trip cost for a destination, days and travellers. | destination:s:CITIES "to {}" | days:i:2:21 "for {} days" | travelers:i:1:6 "for {} travelers" | ?accommodation:e:hostel/hotel/resort=hotel "with {} accommodation"',
        'get packing_list | a packing list for a trip | Suggested packing list for a destination and season. | destination:s:CITIES "to {}" | season:e:spring/summer/autumn/winter "in {}"',
        'find train_connections | train connections between two cities | Train options between two cities on a date. | from_city:s:CITIES "from {}" | to_city:s:CITIES "to {}" | ?first_class:b "in first class/in second class"',
        'calculate jet_lag | the jet lag from a flight | Hours of time-zone shift between two cities. | origin:s:CITIES "from {}" | destination:s:CITIES "to {}"',
        'get tourist_attractions | the top attractions in a city | Top-rated sights in a city. | city:s:CITIES "in {}" | limit:i:3:15 "the top {}"',
        'find vacation_rentals | a vacation rental | Vacation rentals in a city that have all the listed amenities. | city:s:CITIES "in {}" | amenities:as:AMENITIES "with {}" | ?guests:i:1:12=2 "for {} guests"',
        'get travel_phrases | a list of travel phrases | Everyday travel phrases translated into several languages. | languages:as:LANGUAGES "in {}" | ?topic:e:dining/directions/emergencies=dining "for {}"',
        'find hotel_rooms | a hotel room | Available hotel rooms in a US city from a check-in date. | location:s:US_CITIES "in {}" | check_in:d:iso "from {}" | nights:i:1:14 "for {} nights"',
        'find local_events | events in a city | Concerts, games, food fairs and shows in a US city. | location:s:US_CITIES "in {}" | category:e:music/sports/food/theater "in the {} category" | ?max_price:n:10:300 "under ${}"',
        'find coffee_shops | coffee shops | Coffee shops in a city. | city:s:US_CITY_NAMES "in {}" | ?open_now:b "open now/at any hour"',
    ],
    "health": [
        'calculate body_mass_index | the BMI of a person | Body mass index from weight (kg) and height (cm). | weight:n:40:150 "a weight of {} kg" | height:n:140:210 "a height of {} cm" | ?classify:b "with its weight category/as a number only"',
        'calculate daily_water_intake | the recommended daily water intake | Daily water intake from body weight and activity. | weight:n:40:150 "a weight of {} kg" | ?activity_level:e:low/moderate/high=moderate "a {} activity level"',
        'calculate target_heart_rate | a target heart rate zone | Target heart rate range for an age and intensity. Optionally from a resting heart rate. | age:i:16:80 "age {}" | intensity:e:light/moderate/vigorous "at {} intensity" | ?resting_rate:i:40:100=70 "with a resting heart rate of {} bpm"',
        'get drug_interactions | interactions between medications | Known interactions between medications. | drugs:as:DRUGS "between {}" | ?min_severity:e:minor/moderate/major=minor "of {} severity or worse"',
        'calculate calorie_needs | the daily calorie needs of a person | Daily calories from age, weight, height and sex. | age:i:18:80 "age {}" | weight:n:40:150 "weighing {} kg" | height:n:140:210 "{} cm tall" | sex:e:male/female "{}"',
        'find symptom_causes | the likely cause | Conditions that commonly explain a set of symptoms. | symptoms:as:SYMPTOMS "of {}" | ?age:i:1:90 "in a patient aged {}"',
        'calculate medication_dose | the dose of a medication | Dose in mg from a dose per kg of body mass. | dose_mg_per_kg:n:1:50 "{} mg per kg" | body_mass:u:kg:2:150 "a body mass of {}"',
        'calculate lean_body_mass | the lean body mass of a person | Lean mass from body mass and body fat. | body_mass:u:kg:30:200 "a body mass of {}" | body_fat:f:5:50 "a body fat of {}"',
    ],
    "engineering": [
        'calculate beam_deflection | the deflection of a beam | Maximum deflection of a simply supported beam under a point load. | load:n:100:20000 "a load of {} N" | length:n:1:12 "a span of {} m" | ?material:e:steel/aluminum/wood=steel "made of {}"',
        'calculate power_consumption | the energy used by a device | Energy in kWh from power and hours. Optionally over several days of the same use. | watts:n:5:3000 "{} watts" | hours:n:1:24 "running {} hours" | ?days:i:1:365=1 "over {} days"',
        'calculate gear_ratio | the gear ratio of two gears | Gear ratio from tooth counts. | driver_teeth:i:8:80 "a driving gear with {} teeth" | driven_teeth:i:8:120 "a driven gear with {} teeth"',
        'calculate pipe_flow_rate | the flow rate through a pipe | Volumetric flow from pipe diameter and velocity. | diameter:n:0:2 "a diameter of {} m" | velocity:n:0:10 "a velocity of {} m/s" | ?unit:e:m3_s~cubic_meters_per_second/l_min~liters_per_minute=m3_s "in {}"',
        'calculate voltage_drop | the voltage drop along a cable | Voltage drop from current, length and wire gauge. | current:n:1:100 "{} amps" | length:n:1:200 "a length of {} m" | gauge:i:8:18 "gauge {}" | ?conductor:e:copper/aluminum=copper "with {} wire"',
        'get material_properties | the density and strength | Density, tensile strength and melting point of several materials. | materials:as:MATERIALS "of {}" | ?temperature_c:i:-50:500=20 "at {} C"',
        'calculate pressure_force | the force of a pressure on an area | Force from pressure and area. | pressure:u:Pa:100:10000000 "a pressure of {}" | area:n:0:10 "an area of {} square meters"',
        'calculate motor_torque | the torque of a motor | Torque from power and rotational speed. | power:u:W:10:1000000 "a power of {}" | rpm:i:100:10000 "at {} rpm"',
        'calculate motor_output_power | the output power of a motor | Output power from input power and efficiency. | input_power:u:W:10:1000000 "an input power of {}" | efficiency:f:50:99 "an efficiency of {}"',
    ],
    "programming": [
        'format json_string | a JSON string | Pretty-print a JSON string with an indent. | text:s:JSON_TEXTS "the JSON {}" | ?indent:i:2:8=2 "with an indent of {}"',
        'convert number_base | a number between bases | Convert an integer between bases. | number:s:NUMBERS "the number {}" | from_base:i:2:16 "from base {}" | to_base:i:2:16 "to base {}"',
        'get package_version | the latest version of a package | Latest published version of a package. | package:s:PACKAGES "the package {}" | registry:e:pypi/npm/crates "on {}" | ?include_prerelease:b "including pre-releases/excluding pre-releases"',
        'check regex_match | whether a regex matches a text | Test a regular expression against a text. | pattern:s:REGEXES "the pattern {}" | text:s:WORDS "the text {}" | ignore_case:B "ignoring case/case-sensitively"',
        'count lines_of_code | the lines of code in a repository | Count lines of code by language in a repository. | repository:s:REPOS "the repository {}" | ?language:s:PROG_LANGS=all "for {} files"',
        'sort number_list | a list of numbers | Sort numbers ascending or descending. | numbers:an:-100:100 "the numbers {}" | descending:B "in descending order/in ascending order"',
        'count open_issues | the number of open issues | Open issues of a repository that carry all the given labels. | repository:s:REPOS "in {}" | labels:as:ISSUE_LABELS "with the labels {}" | ?include_pull_requests:b "including pull requests/excluding pull requests"',
        'check package_license | the license type | License of each of several packages. | packages:as:PACKAGES "of {}" | ?include_dependencies:b "including their dependencies/without their dependencies"',
    ],
    "history": [
        'get historical_event | the details of a historical event | Date, place and summary of a historical event. | event:s:EVENTS "the {}" | ?length:e:short/long=short "as a {} summary"',
        'get ruler_reign | the reign | Start and end of a ruler\'s reign. | ruler:s:RULERS "of {}"',
        'find events_in_year | events that happened in a year | Notable events in a year, optionally in a country. | year:i:1500:1999 "in {}" | ?country:s:COUNTRIES "in {}"',
        'get empire_extent | the territory of an empire | Area and extent of an empire at its peak. | empire:s:EMPIRES "the {}" | ?include_map:b "with a map/without a map"',
        'calculate years_between | the number of years between two years | Years elapsed between two years. | start_year:i:1000:1999 "from {}" | end_year:i:1500:2025 "to {}"',
        'get rulers_timeline | a timeline | Reign dates of several rulers in chronological order. | rulers:as:RULERS "of {}"',
        'calculate days_between_dates | the number of days between two dates | Days from a start date to an end date. | start_date:d:iso "from {}" | end_date:d:iso "to {}" | ?include_end_date:b "including the end date/excluding the end date"',
        'get events_on_date | the notable events on a date | Notable events on a calendar date. | date:d:us "on {}" | ?country:s:COUNTRIES "in {}"',
        'get city_founding | the founding of a city | Year and founders of a city. | city:s:US_CITY_NAMES "of {}"',
    ],
    "education": [
        'calculate grade_average | a grade point average | Weighted average of grades. | grades:an:50:100 "grades {}" | ?scale:e:percent/gpa4=percent "on a {} scale"',
        'generate quiz_questions | quiz questions on a topic | Generate quiz questions on a topic. | topic:s:TOPICS "on {}" | count:i:3:20 "{} questions" | ?difficulty:e:easy/medium/hard=medium "at {} difficulty"',
        'get course_schedule | the schedule | Lecture times of a course code. | course:s:COURSES "of the course {}" | ?term:e:fall/spring/summer=fall "for the {} term"',
        'find study_resources | study resources for a subject | Books and videos for a subject and level. | subject:s:TOPICS "for {}" | level:e:beginner/intermediate/advanced "at {} level" | ?free_only:b "without paid resources/including paid resources"',
        'find language_courses | a language course | Courses for several languages at one level. | languages:as:LANGUAGES "in {}" | level:e:beginner/intermediate/advanced "at {} level"',
        'calculate class_average | the class average | Mean score of a class, optionally curved. | scores:an:0:100 "the scores {}" | ?curve:i:1:10=0 "with a curve of {} points"',
        'estimate passing_students | the number of students expected to pass | Students expected to pass from enrolment and a pass rate. | students:i:5:5000 "{} students" | pass_rate:f:30:99 "a pass rate of {}"',
    ],
    "mathematics": [
        'calculate factorial | the factorial | Factorial of a non-negative integer. | n:i:2:20 "of {}"',
        'find prime_factors | the prime factors | Prime factorisation of an integer. | number:i:10:100000 "of {}" | ?with_exponents:b "with exponents/as a flat list"',
        'calculate greatest_common_divisor | the greatest common divisor of two numbers | GCD of two integers. Optionally the LCM too. | a:i:2:5000 "{}" | b:i:2:5000 "{}" | ?include_lcm:b "with the least common multiple as well/without the least common multiple"',
        'solve quadratic_equation | a quadratic equation | Roots of ax^2 + bx + c = 0. | a:i:1:9 "a = {}" | b:i:-20:20 "b = {}" | c:i:-30:30 "c = {}" | ?complex_roots:b "including complex roots/excluding complex roots"',
        'calculate definite_integral | the definite integral of a function | Numerically integrate a function of x over an interval. | function:s:FUNCTIONS "the function {}" | lower:n:-5:5 "from {}" | upper:n:5:20 "to {}" | ?method:e:simpson~Simpson\'s/trapezoid~trapezoidal/midpoint=simpson "using the {} rule"',
        'calculate permutations | the number of permutations | Ordered arrangements of k items out of n. | n:i:3:30 "{} items" | k:i:1:10 "taken {} at a time" | ?with_repetition:b "with repetition allowed/without repetition"',
        'calculate matrix_determinant | the determinant of a 2x2 matrix | Determinant of a 2x2 matrix given as rows. | matrix:o:a,b:-9:9 "the matrix with first row {a} {b}" | second_row:an:-9:9 "second row {}"',
        'calculate polynomial_value | the value of a polynomial | Evaluate a polynomial from its coefficients (highest power first) at x. | coefficients:an:-10:10 "coefficients {}" | x:n:-5:5 "at x = {}"',
    ],
    "meteorology": [
        'calculate dew_point | the dew point | Dew point from air temperature and relative humidity. Result in Celsius or Fahrenheit. | temperature:n:-10:40 "a temperature of {} C" | humidity:i:5:100 "a relative humidity of {}%" | ?unit:e:C~Celsius/F~Fahrenheit=C "in {}"',
        'calculate wind_chill | the wind chill | Felt temperature from air temperature and wind speed. | temperature:n:-30:10 "an air temperature of {} C" | wind_speed:n:5:90 "a wind of {} km/h"',
        'calculate heat_index | the heat index | Apparent temperature from temperature and humidity. | temperature_f:n:80:115 "{} F" | humidity:i:40:100 "{}% humidity"',
        'get rainfall_history | the rainfall history of a city | Monthly rainfall totals for a city and year. | city:s:CITIES "in {}" | year:i:1990:2025 "for {}" | ?unit:e:mm~millimeters/in~inches=mm "in {}"',
        'convert pressure_reading | an atmospheric pressure in other units | Convert a pressure reading between units. | value:n:900:1100 "{}" | from_unit:e:hpa~hectopascals/mmhg~millimeters_of_mercury/inhg~inches_of_mercury "{}" | to_unit:e:atm~atmospheres/kpa~kilopascals/psi "to {}"',
        'compare city_temperatures | the average temperature | Average temperature of several cities in one month. | cities:as:CITIES "in {}" | month:e:January/April/July/October "in {}"',
        'get air_quality_index | the air quality index | Current air quality index of a US city. | location:s:US_CITIES "in {}" | ?include_forecast:b "with tomorrow\'s forecast/without a forecast"',
        'get weather_on_date | the recorded weather | Recorded weather of a city on a date. | city:s:CITIES "in {}" | date:d:iso "on {}" | ?hourly:b "with hourly detail/as a daily summary"',
        'get weather_forecast | the weather forecast | Forecast for a city for the coming days. | city:s:US_CITY_NAMES "for {}" | days:i:1:14 "for the next {} days" | ?units:e:metric/imperial=metric "in {} units"',
    ],
    "automotive": [
        'calculate fuel_efficiency | the fuel efficiency of a car | Fuel use from distance driven and fuel burned. | distance_km:n:10:1200 "{} km driven" | fuel_liters:n:1:90 "{} liters of fuel" | ?unit:e:l_100km~liters_per_100_km/mpg~miles_per_gallon/km_l~km_per_liter=l_100km "in {}"',
        'calculate stopping_distance | the stopping distance of a vehicle | Braking distance from speed and road condition. Optionally with the driver\'s reaction time. | speed_kmh:i:20:180 "at {} km/h" | road:e:dry/wet/icy "on a {} road" | ?reaction_time:n:0.5:2.5=1.5 "with a reaction time of {} seconds"',
        'estimate ev_charging_time | the charging time of an electric car | Hours to charge a battery with a charger. | battery_kwh:n:20:120 "a {} kWh battery" | charger_kw:n:3:350 "a {} kW charger" | ?start_percent:i:0:80=20 "starting at {}%"',
        'get vehicle_recalls | the recalls for a car model | Safety recalls for a make, model and year. | make:s:CAR_MAKES "for the {}" | year:i:2005:2025 "from {}"',
        'calculate tire_pressure | the recommended tire pressure | Tire pressure for a load per tire. | load_kg:n:200:900 "a load of {} kg per tire" | ?unit:e:psi/bar=psi "in {}"',
        'compare car_specs | the specs | Engine, range and dimensions of several car models side by side. | models:as:CAR_MAKES "of the {}"',
        'calculate fuel_cost | the fuel cost of a trip | Cost of fuel to drive a distance. | distance:u:km:1:5000 "a distance of {}" | consumption:n:3:20 "using {} liters per 100 km" | fuel_price:n:1:3 "with fuel at ${} per liter"',
    ],
    "networking": [
        'calculate subnet_hosts | the usable hosts in a subnet | Usable host addresses for a prefix length. | prefix_length:i:8:30 "a /{} prefix"',
        'calculate transfer_time | the time to transfer a file | Seconds to move a file over a link. | size_mb:n:1:50000 "a {} MB file" | bandwidth_mbps:n:1:1000 "over a {} Mbps link" | ?overhead_percent:i:1:30=0 "with {}% protocol overhead"',
        'check port_status | whether a port is open on a host | Check whether a TCP port answers on a host. | host:s:HOSTS "on {}" | port:i:20:9000 "port {}" | ?timeout_seconds:i:1:30=5 "with a timeout of {} seconds"',
        'lookup dns_records | the DNS records of a domain | DNS records of a type for a domain. | domain:s:HOSTS "for {}" | record_type:e:A/AAAA/MX/TXT/CNAME "of type {}" | ?dnssec:b "with DNSSEC validation/without DNSSEC validation"',
        'calculate network_latency | the round-trip latency over a distance | Light-in-fiber round trip for a distance. | distance_km:n:10:20000 "over {} km"',
        'lookup ip_geolocation | the location | Country and city of one or more IP addresses. | addresses:as:IP_ADDRESSES "of the IP addresses {}" | ?include_isp:b "with the ISP name/without the ISP name"',
        'estimate packet_retransmissions | the retransmissions over a lossy link | Expected retransmitted packets for a packet count and loss rate. | packets:i:100:10000000 "{} packets" | loss_rate:f:1:20 "a loss rate of {}"',
    ],
    "photography": [
        'calculate depth_of_field | the depth of field of a shot | Depth of field from focal length, aperture and distance. | focal_length_mm:i:10:600 "a {} mm lens" | aperture:n:1:22 "at f/{}" | distance_m:n:0:100 "a subject {} m away" | ?sensor:e:full_frame~full-frame/crop/medium_format~medium_format=full_frame "on a {} sensor"',
        'calculate exposure_value | the exposure value of a setting | EV from aperture and shutter time. | aperture:n:1:22 "f/{}" | shutter_seconds:n:0:30 "a {} second shutter" | ?iso:i:50:800=100 "at ISO {}"',
        'calculate print_size | the largest print size for a photo | Print size in cm for a pixel size at a print density. | width_px:i:800:12000 "{} pixels wide" | height_px:i:600:9000 "{} pixels high" | ?dpi:i:150:600=300 "at {} dpi"',
        'find golden_hour | the golden hour times | Golden hour start and end for a city on a day of year. | city:s:CITIES "in {}" | day_of_year:i:1:365 "on day {} of the year"',
        'calculate equivalent_focal_length | the full-frame equivalent focal length | 35mm-equivalent focal lengths of several lenses for a crop factor. | focal_lengths:an:10:300 "for lenses of {} mm" | crop_factor:n:1:2 "a crop factor of {}"',
    ],
    "agriculture": [
        'estimate crop_yield | the yield of a field | Expected harvest for a crop, area and rainfall. | crop:s:CROPS "of {}" | hectares:n:1:500 "on {} hectares" | ?rainfall_mm:i:100:2000 "with {} mm of rain"',
        'calculate fertilizer_amount | the fertilizer needed for a field | Kilograms of fertilizer for a nitrogen target. | area_hectares:n:1:300 "an area of {} hectares" | nitrogen_kg_per_ha:i:20:250 "{} kg of nitrogen per hectare" | ?fertilizer:e:urea/ammonium_nitrate~ammonium_nitrate/ammonium_sulfate~ammonium_sulfate=urea "using {}"',
        'calculate irrigation_volume | the water needed to irrigate a field | Cubic metres of water for a depth over an area. | area_m2:i:100:100000 "{} square meters" | depth_mm:i:5:80 "{} mm deep" | ?efficiency_percent:i:50:100=100 "at {}% irrigation efficiency"',
        'get planting_calendar | the planting window for a crop | Best sowing months for a crop in a country. | crop:s:CROPS "for {}" | country:s:COUNTRIES "in {}" | ?include_harvest:b "with harvest months/without harvest months"',
        'calculate livestock_feed | the feed needed for a herd | Daily feed for a number of animals of a kind. | animal:e:cattle/sheep/goats/pigs "of {}" | head_count:i:2:900 "{} head"',
        'get crop_prices | the market price | Current market prices of several crops. | crops:as:CROPS "of {}" | ?country:s:COUNTRIES "in {}"',
        'calculate harvest_revenue | the revenue from a harvest | Revenue from a harvest mass and a price per tonne. | harvest_mass:u:kg:100:5000000 "a harvest of {}" | price_per_tonne:n:50:900 "a price of ${} per tonne"',
        'estimate seedling_count | the seedlings to expect from a sowing | Seeds expected to sprout from a count and a germination rate. | seeds:i:10:100000 "{} seeds" | germination_rate:f:40:99 "a germination rate of {}"',
    ],
    "astronomy": [
        'calculate orbital_period | the orbital period of a planet | Orbital period from the semi-major axis in AU. Result in years or days. | semi_major_axis:n:0:40 "a semi-major axis of {} AU" | ?unit:e:years/days=years "in {}"',
        'get planet_facts | facts about a planet | Mass, radius and moons of a planet. | planet:s:PLANETS "{}" | ?include_moons:b "including its moons/without the moons"',
        'calculate escape_velocity | the escape velocity of a body | Escape velocity from mass and radius. | mass:n:1:500 "a mass of {} x 10^22 kg" | radius:n:100:70000 "a radius of {} km"',
        'get star_distance | the distance from Earth | Distance from Earth to a star in light years. Optionally in parsecs. | star:s:STARS "to the star {}" | ?unit:e:ly~light_years/pc~parsecs=ly "in {}"',
        'predict next_eclipse | the next eclipse visible from a city | Date of the next eclipse seen from a city. | city:s:CITIES "from {}" | eclipse_type:e:solar/lunar "{}"',
        'calculate light_travel_time | the time light takes to travel a distance | Light travel time for a distance in km. | distance:m:1000:900000000 "{} km"',
        'compare planet_sizes | the size | Radius and mass of several planets side by side. | planets:as:PLANETS "of {}" | ?relative_to_earth:b "as multiples of Earth/in absolute units"',
        'calculate telescope_magnification | the magnification of a telescope | Magnification from the focal lengths of telescope and eyepiece. Optionally with a Barlow lens. | focal_length:u:mm:100:5000 "a focal length of {}" | eyepiece_focal_length:u:mm:3:50 "an eyepiece of {}" | ?barlow_factor:i:2:5=1 "with a {}x Barlow lens"',
    ],
    "music_theory": [
        'get chord_notes | the notes of a chord | Notes of a chord from its root and quality. | root:s:NOTES_MUSIC "rooted on {}" | quality:e:major/minor/diminished/augmented "{}"',
        'calculate tempo_duration | the length of a piece at a tempo | Duration of a number of bars at a tempo. | bars:i:8:200 "{} bars" | bpm:i:60:200 "at {} bpm" | ?beats_per_bar:i:2:7=4 "with {} beats per bar"',
        'transpose melody_notes | a melody | Transpose notes by semitones. Spelled with sharps or flats. | notes:as:NOTES_MUSIC "the notes {}" | semitones:i:-12:12 "by {} semitones" | ?spelling:e:sharps/flats=sharps "using {}"',
        'get scale_degrees | the notes of a musical scale | Notes of a scale from key and mode. | key:s:NOTES_MUSIC "in {}" | mode:e:ionian/dorian/lydian/aeolian "the {} mode" | ?octaves:i:2:4=1 "over {} octaves"',
        'calculate note_interval | the interval between two notes | Semitones from a lower note up to a higher one. | lower_note:s:NOTES_MUSIC "from {}" | upper_note:s:NOTES_MUSIC "up to {}" | ?name_interval:b "with the interval name/without the interval name"',
        'find chord_name | the name of the chord | Name of the chord that a set of notes forms. | notes:as:NOTES_MUSIC "from the notes {}"',
        'calculate sound_wavelength | the wavelength of a sound | Wavelength in air of a sound at a frequency. | frequency:u:Hz:20:20000 "a frequency of {}" | ?temperature_c:i:-10:40=20 "at {} C"',
    ],
    "law": [
        'get statute_text | the text of a statute | Full text of a statute section by citation. | citation:s:CITATIONS "cited as {}" | ?annotated:b "with annotations/without annotations"',
        'find case_precedents | precedents for a legal issue | Court cases on a legal issue in a jurisdiction. | issue:s:LEGAL_ISSUES "on {}" | jurisdiction:s:COUNTRIES "in {}" | ?max_results:i:1:20=5 "at most {}"',
        'calculate filing_deadline | the deadline to file a claim | Deadline for a claim type from an incident date. | claim_type:e:contract/tort/property "a {} claim" | incident_year:i:2015:2025 "from an incident in {}"',
        'check trademark_availability | whether a trademark is available | Check a trademark name in a country. | mark:s:BRANDS "the name {}" | country:s:COUNTRIES "in {}" | ?include_similar:b "including similar names/for exact matches only"',
        'estimate court_fees | the fees for a court filing | Court fees for a claim amount and court level. | claim_amount:n:500:250000 "a claim of ${}" | court:e:small_claims/district/appeals "in {} court"',
        'find clause_wording | standard contract wording | Standard wording of several contract clause types in a jurisdiction. | clauses:as:CLAUSE_TYPES "for {} clauses" | jurisdiction:s:COUNTRIES "in {}" | ?style:e:plain/formal=formal "in {} language"',
        'calculate limitation_deadline | the last day to file a lawsuit | Last filing day from an incident date and a limitation period in years. | incident_date:d:us "after an incident on {}" | limitation_years:i:1:10 "with a limitation period of {} years"',
        'estimate settlement_value | the expected settlement of a case | Expected settlement from claimed damages and a chance of winning. Optionally net of a contingency fee. | damages:m:10000:500000000 "damages of ${}" | win_probability:f:5:95 "a {} chance of winning" | ?contingency_fee_percent:i:10:40=0 "after a contingency fee of {}%"',
    ],
    "ecology": [
        'calculate carbon_footprint | the carbon footprint of travel | CO2 emitted travelling a distance by a mode. | distance_km:n:1:10000 "{} km" | mode:e:car/train/plane/bus "by {}" | ?round_trip:b "as a round trip/as a one-way trip"',
        'get endangered_status | the conservation status | IUCN status of an animal. | animal:s:ANIMALS "of the {}"',
        'estimate tree_carbon_storage | the carbon stored by trees | Carbon absorbed by a number of trees over years. | trees:i:1:5000 "{} trees" | years:i:1:80 "over {} years" | ?forest:e:tropical/temperate/boreal=temperate "in a {} forest"',
        'calculate biodiversity_index | the Shannon diversity of a sample | Shannon index from species counts. Optionally normalized to evenness. | counts:an:1:60 "species counts {}" | ?evenness:b "as an evenness score/as the raw index"',
        'get habitat_range | the habitat range of an animal | Regions where an animal lives. | animal:s:ANIMALS "the {}" | ?include_migration:b "including migration routes/without migration"',
        'get species_sightings | the latest sighting report | Recent reported sightings of several animals, optionally in one country. | animals:as:ANIMALS "for the {}" | ?country:s:COUNTRIES "in {}"',
        'get pollution_readings | the pollution readings of a US city | Latest particulate and ozone readings of a US city. | location:s:US_CITIES "in {}"',
        'calculate solar_panel_output | the yearly energy from solar panels | Yearly energy from installed panel power and daily sun hours. | panel_power:u:W:100:5000000 "panels rated at {}" | sun_hours:n:2:8 "with {} hours of sun a day" | ?system_losses_percent:i:0:30=14 "with {}% system losses"',
        'estimate emissions_after_cut | the emissions left after a reduction | Yearly emissions after a percentage reduction. | emissions_tonnes:n:100:900000 "{} tonnes of CO2 a year" | reduction:f:5:80 "a reduction of {}"',
    ],
}

POOLS: dict[str, list[str]] = {
    # said|value pools (see POOL_NOTES): general knowledge a caller expects a model to apply
    "US_CITIES": ["Denver|Denver, CO", "Seattle|Seattle, WA", "Austin|Austin, TX", "Boston|Boston, MA", "Miami|Miami, FL", "Phoenix|Phoenix, AZ", "Atlanta|Atlanta, GA", "Portland|Portland, OR", "Nashville|Nashville, TN", "Minneapolis|Minneapolis, MN", "Detroit|Detroit, MI", "Las Vegas|Las Vegas, NV", "Salt Lake City|Salt Lake City, UT", "Pittsburgh|Pittsburgh, PA", "New Orleans|New Orleans, LA", "Baltimore|Baltimore, MD", "Kansas City|Kansas City, MO", "Charlotte|Charlotte, NC", "Sacramento|Sacramento, CA", "Honolulu|Honolulu, HI", "Albuquerque|Albuquerque, NM", "Milwaukee|Milwaukee, WI", "Boise|Boise, ID", "Anchorage|Anchorage, AK"],
    "COMPANY_TICKERS": ["Microsoft|MSFT", "Amazon|AMZN", "Alphabet|GOOGL", "Tesla|TSLA", "Nvidia|NVDA", "Netflix|NFLX", "Coca-Cola|KO", "Walmart|WMT", "Disney|DIS", "Intel|INTC", "Oracle|ORCL", "Nike|NKE", "Pfizer|PFE", "Boeing|BA", "Starbucks|SBUX", "Visa|V", "PepsiCo|PEP", "ExxonMobil|XOM", "Adobe|ADBE", "Salesforce|CRM", "Qualcomm|QCOM", "Ford|F", "General Motors|GM", "Costco|COST"],
    "COMPOUND_NAMES": ["water|H2O", "table salt|NaCl", "carbon dioxide|CO2", "methane|CH4", "ammonia|NH3", "ethanol|C2H5OH", "sulfuric acid|H2SO4", "baking soda|NaHCO3", "calcium carbonate|CaCO3", "hydrogen peroxide|H2O2", "sucrose|C12H22O11", "nitric acid|HNO3", "hydrochloric acid|HCl", "acetic acid|CH3COOH", "ozone|O3", "propane|C3H8"],
    "COUNTRY_CODES": ["Japan|JP", "Germany|DE", "France|FR", "Brazil|BR", "India|IN", "Canada|CA", "Mexico|MX", "Spain|ES", "Italy|IT", "Kenya|KE", "Norway|NO", "Australia|AU", "Egypt|EG", "Chile|CL", "Vietnam|VN", "Sweden|SE"],
    "CAR_MAKES": ["Toyota Corolla", "Ford F-150", "Honda Civic", "Tesla Model 3", "Volkswagen Golf", "Kia Sportage", "Volvo XC60", "Subaru Outback", "BMW 3 Series", "Nissan Leaf", "Mazda CX-5", "Hyundai Ioniq 5"],
    "HOSTS": ["example.com", "api.internal.net", "mail.acme.org", "db01.lan", "status.globex.io", "cdn.example.org", "vpn.lab.local", "shop.initech.com"],
    "CROPS": ["wheat", "maize", "rice", "soybeans", "barley", "potatoes", "coffee", "cassava", "sorghum", "canola", "oats", "lentils"],
    "FORMULAS": ["H2O", "CO2", "NaCl", "C6H12O6", "H2SO4", "NH3", "CH4", "CaCO3", "C2H5OH", "KMnO4", "Fe2O3", "HNO3"],
    "ELEMENTS": ["carbon", "oxygen", "iron", "gold", "neon", "sodium", "uranium", "helium", "copper", "silicon", "zinc", "argon"],
    "EQUATIONS": ["H2 + O2 = H2O", "Fe + O2 = Fe2O3", "CH4 + O2 = CO2 + H2O", "N2 + H2 = NH3", "Al + O2 = Al2O3", "C3H8 + O2 = CO2 + H2O", "Na + Cl2 = NaCl", "KClO3 = KCl + O2"],
    "TICKERS": ["AAPL", "MSFT", "KO", "JNJ", "PG", "XOM", "PEP", "T", "VZ", "INTC", "CVX", "MCD"],
    "CURRENCIES": ["USD", "EUR", "GBP", "JPY", "NOK", "CAD", "AUD", "CHF", "INR", "BRL", "SEK", "MXN"],
    "GENES": ["BRCA1", "TP53", "EGFR", "MYC", "APOE", "CFTR", "KRAS", "PAX6", "SOX2", "FOXP2", "HBB", "INS"],
    "SPECIES": ["Homo sapiens", "Mus musculus", "Danio rerio", "Drosophila melanogaster", "Arabidopsis thaliana", "Escherichia coli", "Gallus gallus", "Canis lupus", "Saccharomyces cerevisiae", "Rattus norvegicus", "Bos taurus", "Oryza sativa"],
    "DNA": ["ATGCGTACGTTAG", "GGCCTTAAGC", "ATGAAACCCGGGTTT", "TTAGGCATCG", "CGCGATATGC", "ATGGCTAGCTAA", "GATTACA", "CCGGTTAACG"],
    "COUNTRIES": ["Norway", "France", "Japan", "Kenya", "Peru", "Canada", "Spain", "Germany", "Australia", "Egypt", "India", "Brazil", "Mexico", "Chile", "Vietnam", "Nepal"],
    "CITIES": ["Oslo", "Paris", "Tokyo", "Nairobi", "Lima", "Toronto", "Madrid", "Berlin", "Sydney", "Cairo", "Mumbai", "Seoul", "Lisbon", "Chicago", "Hanoi", "Dublin"],
    "RIVERS": ["Nile", "Amazon", "Danube", "Mekong", "Rhine", "Volga", "Yangtze", "Mississippi", "Ganges", "Zambezi", "Loire", "Murray"],
    "TEAMS": ["Boston Celtics", "Real Madrid", "Manchester City", "Chicago Bulls", "Bayern Munich", "New York Yankees", "Toronto Raptors", "Ajax", "Golden State Warriors", "Juventus", "LA Galaxy", "Benfica"],
    "PLAYERS": ["Kai Lindqvist", "Marco Bellini", "Tariq Osei", "Hana Sato", "Luis Ferreira", "Ada Novak", "Sam Whitaker", "Iker Zubia", "Noor Rahman", "Jonah Pierce", "Elena Varga", "Theo Brandt"],
    "DISHES": ["lasagna", "banana bread", "roast chicken", "sourdough loaf", "apple pie", "brownies", "shepherd's pie", "focaccia", "cheesecake", "meatloaf", "quiche", "cornbread"],
    "INGREDIENTS": ["butter", "eggs", "buttermilk", "sour cream", "honey", "all-purpose flour", "heavy cream", "brown sugar", "baking powder", "cornstarch", "parmesan", "shallots"],
    "DRUGS": ["ibuprofen", "aspirin", "warfarin", "metformin", "lisinopril", "amoxicillin", "sertraline", "omeprazole", "atorvastatin", "prednisone", "levothyroxine", "loratadine"],
    "JSON_TEXTS": ['{"a":1,"b":[2,3]}', '{"name":"x","ok":true}', '[1,2,{"k":"v"}]', '{"id":7,"tags":["t1","t2"]}', '{"nested":{"x":0}}', '{"list":[],"n":null}', '{"q":"hi"}', '{"p":1.5}'],
    "NUMBERS": ["255", "1010", "777", "4096", "ff", "1234", "31", "100000"],
    "PACKAGES": ["requests", "numpy", "lodash", "serde", "express", "pandas", "tokio", "react", "flask", "rand", "axios", "scipy"],
    "REGEXES": ["^[a-z]+$", "\\d{3}-\\d{4}", "^\\w+@\\w+\\.com$", "colou?r", "^[A-Z]", "(cat|dog)s?", "\\s+$", "^#[0-9a-f]{6}$"],
    "WORDS": ["hello", "Color", "555-1234", "dogs", "alice@example.com", "#1a2b3c", "Zebra", "trailing "],
    "REPOS": ["acme/webapp", "tools/parser", "lab/simulator", "team/api-server", "org/mobile-client", "dev/cli-utils", "data/pipeline", "ml/trainer"],
    "PROG_LANGS": ["python", "rust", "go", "javascript", "java", "c", "typescript", "ruby"],
    "EVENTS": ["French Revolution", "Battle of Hastings", "Fall of Constantinople", "Moon landing", "signing of the Magna Carta", "Treaty of Versailles", "Meiji Restoration", "Boston Tea Party", "Congress of Vienna", "printing of the Gutenberg Bible", "Battle of Waterloo", "Glorious Revolution"],
    "RULERS": ["Queen Victoria", "Louis XIV", "Charlemagne", "Catherine the Great", "Akbar", "Elizabeth I", "Peter the Great", "Suleiman the Magnificent", "Cleopatra", "Kangxi Emperor", "Frederick the Great", "Mansa Musa"],
    "EMPIRES": ["Roman Empire", "Mongol Empire", "Ottoman Empire", "Inca Empire", "British Empire", "Mali Empire", "Byzantine Empire", "Maurya Empire", "Aztec Empire", "Persian Empire", "Han dynasty", "Khmer Empire"],
    "TOPICS": ["photosynthesis", "fractions", "the water cycle", "World War I", "plate tectonics", "probability", "cell biology", "the solar system", "algebra", "poetry", "electricity", "ancient Egypt"],
    "COURSES": ["CS101", "MATH221", "BIO150", "HIST210", "PHYS140", "ECON102", "CHEM110", "STAT200"],
    "FUNCTIONS": ["x^2", "sin(x)", "3*x + 2", "exp(x)", "x^3 - x", "1/(1 + x^2)", "cos(x)", "sqrt(x)"],
    "PLANETS": ["Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Earth"],
    "STARS": ["Sirius", "Betelgeuse", "Vega", "Proxima Centauri", "Rigel", "Polaris", "Aldebaran", "Arcturus"],
    "NOTES_MUSIC": ["C", "D", "E", "F", "G", "A", "B", "F#", "Bb", "Eb", "C#", "Ab"],
    "CITATIONS": ["17 U.S.C. 107", "42 U.S.C. 1983", "15 U.S.C. 1125", "18 U.S.C. 1030", "29 U.S.C. 201", "35 U.S.C. 101", "47 U.S.C. 230", "26 U.S.C. 501"],
    "LEGAL_ISSUES": ["fair use", "wrongful termination", "adverse possession", "data privacy", "breach of warranty", "defamation", "patent eligibility", "tenant eviction"],
    "BRANDS": ["Lumora", "Quillbright", "Nexaro", "Brightfern", "Zentrio", "Oakvale", "Velvetine", "Corvix"],
    "ANIMALS": ["snow leopard", "giant panda", "African elephant", "hawksbill turtle", "red wolf", "axolotl", "orangutan", "blue whale"],
    # lists of values: for tools whose parameter is an array ("with the toppings ham, olives and basil")
    "TOPPINGS": ["ham", "olives", "basil", "mushrooms", "pepperoni", "red onion", "jalapeños", "pineapple", "arugula", "sun-dried tomatoes", "goat cheese", "anchovies", "spinach", "roasted peppers", "sausage", "artichokes"],
    "AMENITIES": ["wifi", "free parking", "air conditioning", "pool access", "laundry facilities", "keyless entry", "gym access", "EV charging", "sea views", "hot tub access", "central heating", "pet-friendly rooms"],
    "LANGUAGES": ["French", "German", "Italian", "Spanish", "Japanese", "Portuguese", "Korean", "Dutch", "Swedish", "Arabic", "Hindi", "Polish", "Greek", "Turkish", "Mandarin", "Swahili"],
    "QUOTE_CURRENCIES": ["EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NOK", "SEK", "INR", "BRL", "MXN", "ZAR", "NZD", "SGD", "KRW", "PLN"],
    "SYMPTOMS": ["headache", "fever", "fatigue", "nausea", "sore throat", "dry cough", "dizziness", "muscle aches", "chills", "runny nose", "shortness of breath", "skin rash"],
    "MATERIALS": ["stainless steel", "aluminum 6061", "titanium", "copper", "brass", "carbon fiber", "concrete", "oak", "polycarbonate", "nylon", "cast iron", "borosilicate glass"],
    "ISSUE_LABELS": ["bug", "enhancement", "documentation", "good first issue", "help wanted", "performance", "security", "regression", "refactor", "testing", "ui", "dependencies"],
    "IP_ADDRESSES": ["8.8.8.8", "1.1.1.1", "203.0.113.7", "198.51.100.23", "192.0.2.44", "9.9.9.9", "185.199.108.153", "151.101.1.69", "104.16.132.229", "172.217.16.142", "13.107.42.14", "17.253.144.10"],
    "CLAUSE_TYPES": ["confidentiality", "force majeure", "indemnification", "non-compete", "termination", "governing law", "arbitration", "limitation of liability", "severability", "assignment", "warranty", "payment terms"],
}

# Pools whose items are structured (DNA, formulas, code, addresses) or a closed real set
# (currencies, languages, elements): a made-up item would be a wrong value, not a new name.
CLOSED_POOLS = frozenset({"DNA", "FORMULAS", "EQUATIONS", "JSON_TEXTS", "REGEXES", "FUNCTIONS",
                          "NUMBERS", "IP_ADDRESSES", "CITATIONS", "NOTES_MUSIC", "CURRENCIES",
                          "QUOTE_CURRENCIES", "LANGUAGES", "PROG_LANGS", "ELEMENTS", "PLANETS",
                          "WORDS"})

# The said half of two said|value pools, for parameters that take the name as said ("Denver",
# "Nvidia"): without them a model learns "a US city gets its state" instead of reading the
# description (measured: data v4 without them wrote "Austin, TX" where "Austin" was asked for).
POOLS["US_CITY_NAMES"] = [item.partition("|")[0] for item in POOLS["US_CITIES"]]
POOLS["COMPANY_NAMES"] = [item.partition("|")[0] for item in POOLS["COMPANY_TICKERS"]]

# What the description of a parameter drawn from a said|value pool says about the form (its
# example is not in the pool, so no held-out value leaks into training prompts).
POOL_NOTES = {
    "US_CITIES": "The city and state, e.g. Tulsa, OK",
    "COMPANY_TICKERS": "The stock ticker symbol, e.g. IBM",
    "COMPOUND_NAMES": "The chemical formula, e.g. NaOH",
    "COUNTRY_CODES": "Two-letter ISO 3166 country code, e.g. PT",
}
